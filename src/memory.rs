//! Handing memory back to the operating system after a large read or write.
//!
//! Two allocators share the process. Rust's allocations go to mimalloc
//! (`main.rs`), built without transparent huge pages (Cargo.toml); SQLite,
//! in C, allocates its page caches, sorts and statements through glibc's
//! malloc.

/// Registers at least this large make the annual report call
/// `release_freed` when done: a province's or the country's.
pub const LARGE_REGISTER: i64 = 100_000;

/// Returns to the operating system the pages this thread has freed, and
/// purges what any thread has given back to mimalloc's arenas; then has
/// glibc give back what SQLite freed.
///
/// mimalloc keeps freed pages for reuse and returns them only after later
/// allocations in the same thread. A blocking thread that built the
/// country's annual report (5.5 M members) went on holding what the report
/// had freed, so the server's RSS after it stayed near the report's peak
/// until that thread next ran work. glibc gives back on its own only the
/// free memory at the top of its heaps: after the country's report its
/// heaps held 38 MB, 26 MB once trimmed. Called once after such work: both
/// walk their heaps, which costs more than a small request should pay.
#[allow(unsafe_code)]
pub fn release_freed() {
    // SAFETY: mi_collect has no preconditions: it frees the calling
    // thread's empty pages and purges the arenas, whichever allocator the
    // process uses (with the system allocator its heap is empty).
    unsafe { libmimalloc_sys::mi_collect(true) }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions; it takes glibc's arena
    // locks itself.
    unsafe {
        libc::malloc_trim(0);
    }
}
