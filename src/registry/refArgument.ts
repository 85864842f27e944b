import { parseRef, type Ref } from '../core/refs';

/** Use cases take a reference as typed (`fraud/3`, `fraud@production`) or parsed already. */
export function toRef(ref: string | Ref): Ref {
  return typeof ref === 'string' ? parseRef(ref) : ref;
}
