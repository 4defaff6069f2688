/** What the generated docs' tables put in a cell: shared by docs/build.ts and docs/request-matrix.ts. */
import { SOURCES, type SourceRef } from '../security/catalogue.ts';

/** Text that stays in its Markdown table cell: no column break, no line break. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A row's source as the tables cite it: the source's short name (SOURCES), then the detail. */
export function citation(ref: SourceRef): string {
  const { name } = SOURCES[ref.source];
  return name === '' ? ref.detail : `${name}: ${ref.detail}`;
}
