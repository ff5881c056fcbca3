
/** -o json|yaml: the report object as is. */
export async function serialize(data: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  const { dump } = await import('js-yaml');
  return dump(data, { noRefs: true, lineWidth: -1 });
}
