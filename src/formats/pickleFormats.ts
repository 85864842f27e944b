import path from 'node:path';
import { weightFormatOf } from '../core/weightFormats';
import type { FileReader } from './byteReader';
import { FormatProblem } from './byteReader';
import type { Inspection, InspectionSummary, SecurityFinding } from './inspection';
import { scanPickle, type PickleScan } from './pickleScan';
import { ZipArchive } from './zipArchive';

const LISTED_IMPORTS = 30;

/** A bare pickle: .pkl, .joblib, or a PyTorch file saved in the legacy (pre-1.6) layout. */
export async function inspectPickleFile(reader: FileReader, file: string): Promise<Inspection> {
  const scan = await scanPickle(reader);
  const extension = path.extname(file).toLowerCase();
  const format = extension === '.joblib' ? 'joblib' : weightFormatOf(file)?.inspector === 'torch' ? 'pytorch' : 'pickle';
  return {
    format,
    summary: { ...(format === 'pytorch' ? { layout: 'legacy pickle' } : {}), ...scanSummary([scan]) },
    findings: scan.findings,
  };
}

/** A PyTorch zip checkpoint (torch.save since 1.6, TorchScript): its members listed, its pickles scanned. */
export async function inspectTorchArchive(_reader: FileReader, file: string): Promise<Inspection> {
  const archive = await ZipArchive.open(file);
  try {
    const pickles = archive.find((name) => name.endsWith('.pkl'));
    if (pickles.length === 0) throw new FormatProblem('the zip archive holds no data.pkl, so it is not a PyTorch checkpoint');
    const scans: PickleScan[] = [];
    const findings: SecurityFinding[] = [];
    for (const entry of pickles) {
      const scan = await scanPickle(await archive.reader(entry), entry.fileName);
      scans.push(scan);
      findings.push(...scan.findings);
    }
    const code = archive.find((name) => /(^|\/)code\//.test(name) && name.endsWith('.py'));
    if (code.length > 0) {
      findings.push({ severity: 'medium', code: 'pytorch.torchscript-code', message: `holds ${code.length} TorchScript code file(s), which torch.jit.load compiles and runs`, where: code[0].fileName });
    }
    const storages = archive.find((name) => /(^|\/)data\/\d+$/.test(name));
    const summary: InspectionSummary = {
      layout: code.length > 0 ? 'torchscript zip' : 'zip',
      archiveMembers: archive.entries.length,
      storages: storages.length,
      storageBytes: storages.reduce((sum, entry) => sum + entry.uncompressedSize, 0),
      pickles: pickles.map((entry) => entry.fileName).join(', '),
      ...scanSummary(scans),
    };
    return { format: 'pytorch', summary, findings };
  } finally {
    archive.close();
  }
}

function scanSummary(scans: PickleScan[]): InspectionSummary {
  const imports = [...new Set(scans.flatMap((scan) => scan.imports))];
  return {
    pickleImports: imports.slice(0, LISTED_IMPORTS).join(', ') + (imports.length > LISTED_IMPORTS ? ` … (${imports.length} in all)` : ''),
    pickleCalls: scans.reduce((sum, scan) => sum + scan.calls, 0),
    pickleOpcodes: scans.reduce((sum, scan) => sum + scan.opcodes, 0),
    pickleScanComplete: scans.every((scan) => scan.complete),
  };
}
