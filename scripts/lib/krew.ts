// The krew plugin manifest: rendered from .krew.yaml (krew-release-bot's template, the one source
// of the manifest's text) and checked by krew's own rules, re-implemented from kubernetes-sigs/krew:
// internal/index/validation/validate.go (ValidatePlugin), cmd/validate-krew-manifest/main.go
// (every platform selects a supported os/arch, no two select the same, each installs with a
// license) and internal/installation/move.go (how `files` are moved). Plus the krew-index
// guidelines krew does not enforce in code: a short description of at most 50 characters (what
// `kubectl krew search` shows) and a description without flag lists.
import path from 'node:path';
import { dump, load } from 'js-yaml';

export interface FileOperation {
  from?: string;
  to?: string;
}

export interface SelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface KrewPlatform {
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: SelectorRequirement[] } | null;
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: FileOperation[] | null;
}

export interface KrewPlugin {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    version?: string;
    homepage?: string;
    shortDescription?: string;
    description?: string;
    caveats?: string;
    platforms?: KrewPlatform[];
  };
}

export const KREW_API_VERSION = 'krew.googlecontainertools.github.com/v1alpha2';
export const SHORT_DESCRIPTION_MAX = 50;

// ---------------------------------------------------------------------------------------------
// Rendering

const ADD_URI_AND_SHA = /\{\{-?\s*addURIAndSha\s+"([^"]*)"\s+\.TagName\s*-?\}\}/g;
const TAG_NAME = /\{\{-?\s*\.TagName\s*-?\}\}/g;

/**
 * Renders the template as krew-release-bot does for the functions this project uses: `{{ .TagName }}`
 * and `{{addURIAndSha "<url with {{ .TagName }}>" .TagName }}`, which becomes `uri: <url>` and, on the
 * next line at four spaces, `sha256: <sum>`. `sha256Of(uri)` gives the sum of an archive that was
 * built; a platform whose archive was not built is left out of the manifest.
 */
export function renderManifest(template: string, tag: string, sha256Of: (uri: string) => string | undefined): KrewPlugin {
  const missing = new Set<string>();
  let text = template.replace(ADD_URI_AND_SHA, (_match, url: string) => {
    const uri = url.replace(TAG_NAME, tag);
    const sum = sha256Of(uri);
    if (sum === undefined) {
      missing.add(uri);
      return `uri: ${uri}`;
    }
    return `uri: ${uri}\n    sha256: ${sum}`;
  });
  text = text.replace(TAG_NAME, tag);
  const leftover = /\{\{.*?\}\}/.exec(text);
  if (leftover) throw new Error(`.krew.yaml: template expression not supported here: ${leftover[0]}`);
  const plugin = load(text) as KrewPlugin;
  if (plugin.spec?.platforms) plugin.spec.platforms = plugin.spec.platforms.filter((platform) => !missing.has(platform.uri ?? ''));
  return plugin;
}

export function manifestYaml(plugin: KrewPlugin): string {
  return dump(plugin, { lineWidth: -1, noRefs: true, quotingType: '"' });
}

// ---------------------------------------------------------------------------------------------
// Validation

const WINDOWS_RESERVED = ['CON', 'PRN', 'AUX', 'NUL', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`])];
/** krew's allPlatforms(): the os/arch pairs krew itself ships for. */
export const KREW_PLATFORMS: ReadonlyArray<{ os: string; arch: string }> = [
  ...['386', 'amd64', 'arm64'].map((arch) => ({ os: 'windows', arch })),
  ...['386', 'amd64', 'arm', 'arm64', 'ppc64le'].map((arch) => ({ os: 'linux', arch })),
  ...['386', 'amd64', 'arm64'].map((arch) => ({ os: 'darwin', arch })),
];
// Semantic version with the leading v krew requires (k8s.io/apimachinery ParseSemantic).
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

export function isSafePluginName(name: string): boolean {
  return /^[\w-]+$/.test(name) && !WINDOWS_RESERVED.includes(name.toUpperCase());
}

/** Does a platform's label selector select this os/arch (matchLabels and matchExpressions, ANDed)? */
export function selects(selector: KrewPlatform['selector'], labels: { os: string; arch: string }): boolean {
  if (!selector) return false;
  const value = (key: string): string | undefined => (key === 'os' ? labels.os : key === 'arch' ? labels.arch : undefined);
  for (const [key, want] of Object.entries(selector.matchLabels ?? {})) if (value(key) !== want) return false;
  for (const requirement of selector.matchExpressions ?? []) {
    const have = value(requirement.key ?? '');
    const values = requirement.values ?? [];
    const ok =
      requirement.operator === 'In' ? have !== undefined && values.includes(have)
      : requirement.operator === 'NotIn' ? have === undefined || !values.includes(have)
      : requirement.operator === 'Exists' ? have !== undefined
      : requirement.operator === 'DoesNotExist' ? have === undefined
      : false;
    if (!ok) return false;
  }
  return true;
}

function selectorProblem(selector: KrewPlatform['selector']): string | undefined {
  if (!selector) return 'nil selector is not supported';
  if (selector.matchLabels === undefined && (selector.matchExpressions ?? []).length === 0) return 'empty selector is not supported';
  const keys = [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((requirement) => requirement.key ?? '')];
  const unsupported = keys.find((key) => key !== 'os' && key !== 'arch');
  if (unsupported !== undefined) return `key "${unsupported}" not supported`;
  if (selector.matchLabels !== undefined && Object.keys(selector.matchLabels ?? {}).length === 0) return '`matchLabels` specified but empty';
  if (selector.matchExpressions !== undefined && (selector.matchExpressions ?? []).length === 0) return '`matchExpressions` specified but empty';
  return undefined;
}

function platformProblem(platform: KrewPlatform): string | undefined {
  if (!platform.uri) return '`uri` has to be set';
  if (!platform.sha256) return '`sha256` sum has to be set';
  if (!/^[a-f0-9]{64}$/.test(platform.sha256)) return `\`sha256\` value ${platform.sha256} is not valid`;
  if (!platform.bin) return '`bin` has to be set';
  if (platform.files !== undefined && platform.files !== null) {
    if (platform.files.length === 0) return '`files` has to be unspecified or non-empty';
    for (const op of platform.files) {
      if (!op.from) return '`files`: `from` field has to be set';
      if (!op.to) return '`files`: `to` field has to be set';
    }
  }
  const selector = selectorProblem(platform.selector);
  return selector && `invalid platform selector: ${selector}`;
}

/**
 * Problems krew (ValidatePlugin and validate-krew-manifest's platform checks) or the krew-index
 * guidelines find in a manifest meant to be `<name>.yaml`; empty when it is valid.
 */
export function validateManifest(plugin: KrewPlugin, name: string): string[] {
  const problems: string[] = [];
  if (plugin.apiVersion !== KREW_API_VERSION) problems.push(`apiVersion=${JSON.stringify(plugin.apiVersion)} is not supported`);
  if (plugin.kind !== 'Plugin') problems.push(`kind=${JSON.stringify(plugin.kind)}, but only "Plugin" is supported`);
  if (!isSafePluginName(name)) problems.push(`the plugin name ${JSON.stringify(name)} is not allowed`);
  if (plugin.metadata?.name !== name) problems.push(`plugin should be named ${JSON.stringify(name)}, not ${JSON.stringify(plugin.metadata?.name)}`);
  const spec = plugin.spec ?? {};
  if (!spec.shortDescription) problems.push('should have a short description');
  else {
    if (/[\r\n]/.test(spec.shortDescription)) problems.push('should not have line breaks in short description');
    if (spec.shortDescription.length > SHORT_DESCRIPTION_MAX) problems.push(`short description is ${spec.shortDescription.length} characters; krew search shows ${SHORT_DESCRIPTION_MAX}`);
  }
  if (!spec.description) problems.push('should have a description');
  else if (/(^|\s)--?[A-Za-z]/.test(spec.description)) problems.push('description lists flags; krew-index asks to leave them to --help');
  const platforms = spec.platforms ?? [];
  if (platforms.length === 0) problems.push('should have a platform specified');
  if (!spec.version) problems.push('should have a version specified');
  else if (!SEMVER.test(spec.version)) problems.push(`version ${JSON.stringify(spec.version)} is not a semantic version with a leading v`);
  platforms.forEach((platform, index) => {
    const problem = platformProblem(platform);
    if (problem) problems.push(`platform ${index} is badly constructed: ${problem}`);
    else if (!KREW_PLATFORMS.some((labels) => selects(platform.selector, labels))) problems.push(`platform ${index}'s selector matches no platform krew supports`);
  });
  for (const labels of KREW_PLATFORMS) {
    const matching = platforms.flatMap((platform, index) => (selects(platform.selector, labels) ? [index] : []));
    if (matching.length > 1) problems.push(`platforms ${matching.join(', ')} have overlapping selectors that select ${labels.os}/${labels.arch}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Installation, as krew's move.go does it, on an archive's file list

const LICENSE_FILES = new Set(['license', 'license.txt', 'license.md', 'licenses', 'licenses.txt', 'licenses.md', 'copying', 'copying.txt']);

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/**
 * The files krew would install from an archive holding `archiveFiles` (paths relative to its root),
 * or the reason it would fail: a `files` operation that matches nothing or leaves the folder, no
 * `bin` among the installed files, no license file (validate-krew-manifest requires one).
 */
export function installedFiles(platform: KrewPlatform, archiveFiles: readonly string[]): { files: string[] } | { problem: string } {
  const files = new Set<string>();
  const ops = platform.files ?? [{ from: '*', to: '.' }];
  const inside = (p: string): boolean => p !== '..' && !p.startsWith('../') && !path.posix.isAbsolute(p);
  for (const op of ops) {
    const from = op.from ?? '';
    const to = op.to ?? '';
    if (to !== path.posix.normalize(to) || to.endsWith('/')) return { problem: `the provided path is not clean: ${to}` };
    const direct = path.posix.normalize(from);
    if (archiveFiles.includes(direct)) {
      const target = path.posix.normalize(to === '.' ? path.posix.basename(direct) : to);
      if (!inside(direct) || !inside(target)) return { problem: `move of ${from} to ${to} is out of bounds` };
      files.add(target);
      continue;
    }
    const matches = archiveFiles.filter((file) => globToRegExp(from).test(file));
    if (matches.length === 0) return { problem: `no files in the plugin archive matched the glob pattern=${from}` };
    for (const match of matches) {
      const target = path.posix.normalize(path.posix.join(to, path.posix.basename(match)));
      if (!inside(target)) return { problem: `move target ${target} is not a subpath` };
      files.add(target);
    }
  }
  const installed = [...files].sort();
  if (!installed.includes(path.posix.normalize(platform.bin ?? ''))) return { problem: `source binary ${platform.bin} cannot be found among the installed files (${installed.join(', ')})` };
  if (!installed.some((file) => LICENSE_FILES.has(path.posix.basename(file).toLowerCase()))) return { problem: `could not find license file among [${installed.join(', ')}]` };
  return { files: installed };
}
