/** "1 method", "2 methods": a count with its noun, for every sentence that counts something. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
