import yaml from 'js-yaml';
import type { FileReport } from './errors.js';
import { fileSource } from './file-source.js';

export type YamlResult = { ok: true; value: unknown } | { ok: false };

/**
 * Reads and parses one YAML file (core schema: no dates, no custom tags). A syntax error is reported with its
 * line and column and js-yaml's reason only — never its source snippet, which could quote a secret.
 */
export function readYamlFile(report: FileReport): YamlResult {
  let text: string;
  try {
    text = fileSource().readText(report.file);
  } catch (err) {
    report.add('', `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return { ok: false };
  }
  try {
    return { ok: true, value: yaml.load(text, { filename: report.file, schema: yaml.CORE_SCHEMA }) };
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
      report.add('', `YAML syntax error${where}: ${err.reason}`);
    } else {
      report.add('', 'YAML syntax error');
    }
    return { ok: false };
  }
}
