import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * What is wrong with a cluster's certificate authority, or undefined. Node takes any bytes as a
 * CA and then fails every handshake with "self-signed certificate in certificate chain", which
 * points at the server, not at the kubeconfig; kubectl refuses such data at load. So do we.
 */
export function certificateAuthorityProblem(cluster: { caData?: string | undefined; caFile?: string | undefined }): string | undefined {
  if (cluster.caData !== undefined && cluster.caData !== '') {
    const compact = cluster.caData.replace(/\s+/g, '');
    // As Go's base64.StdEncoding, which kubectl decodes it with: the standard alphabet, padded.
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return 'certificate-authority-data is not base64';
    const problem = pemProblem(Buffer.from(compact, 'base64').toString('latin1'));
    if (problem) return `certificate-authority-data ${problem}`;
    return undefined;
  }
  if (cluster.caFile) {
    let text: string;
    try {
      text = readFileSync(cluster.caFile, 'latin1');
    } catch {
      return undefined; // a missing file is reported by the credential loader, naming it
    }
    const problem = pemProblem(text);
    if (problem) return `certificate-authority file ${cluster.caFile} ${problem}`;
  }
  return undefined;
}

function pemProblem(text: string): string | undefined {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return 'holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block)';
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return `holds a PEM block that is not a certificate (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  return undefined;
}
