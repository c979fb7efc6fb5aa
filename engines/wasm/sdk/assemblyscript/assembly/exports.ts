// The exports polyfn ABI 1 requires. A library's entry file re-exports
// them: export * from "<sdk>/assembly/exports";
import { _abiVersion, _alloc, _call, _init } from "./polyfn";

export function polyfn_abi_version(): i32 {
  return _abiVersion();
}

export function polyfn_alloc(size: i32): usize {
  return _alloc(size);
}

// Declares that polyfn_alloc's memory stays valid until the next
// polyfn_alloc (ABI.md): the host reuses it while arguments fit.
export function polyfn_alloc_keep(): void {}

export function polyfn_init(): void {
  _init();
}

export function polyfn_call(handle: i32, ptr: usize, len: i32): u64 {
  return _call(handle, ptr, len);
}
