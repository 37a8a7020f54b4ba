//! Handing memory back to the operating system after a large read.

/// Registers at least this large make the annual report call
/// `release_freed` when done: a province's or the country's.
pub const LARGE_REGISTER: i64 = 100_000;

/// Returns to the operating system the pages this thread has freed, and
/// purges what any thread has given back to mimalloc's arenas.
///
/// mimalloc keeps freed pages for reuse and returns them only after later
/// allocations in the same thread. A blocking thread that built the
/// country's annual report (5.5 M members) went on holding what the report
/// had freed, so the server's RSS after it stayed near the report's peak
/// until that thread next ran work. Called once after such work: it walks
/// the thread's heap, which costs more than a small request should pay.
#[allow(unsafe_code)]
pub fn release_freed() {
    // SAFETY: mi_collect has no preconditions: it frees the calling
    // thread's empty pages and purges the arenas, whichever allocator the
    // process uses (with the system allocator its heap is empty).
    unsafe { libmimalloc_sys::mi_collect(true) }
}
