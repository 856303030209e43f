//! Heap bytes by owner: herald's, or the partner emulator's, in one process.
//!
//! The soak run keeps the emulator in its own process's address space because it shares the
//! simulated clock with herald, so the process's resident size mixes both. This allocator
//! answers "how much of it is herald": every allocation carries, just before the bytes it
//! hands out, a tag naming the owner of the thread that made it, and frees are counted against
//! that tag whichever thread frees them. The emulator runs on a runtime of its own whose
//! threads call [`mark_partner_thread`] when they start; everything else (herald's app, its
//! workers, and the test's own bookkeeping) counts as herald's.
//!
//! The figures are live heap bytes as the program asked for them (not the allocator's pages,
//! not stacks or code), which is what grows when herald holds on to data.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whose allocation: herald's (0) or the partner emulator's (1).
const HERALD: usize = 0;
const PARTNER: usize = 1;

thread_local! {
    /// Set once on the emulator's threads; const-initialised and without a destructor, so
    /// reading it never allocates.
    static OWNER: Cell<usize> = const { Cell::new(HERALD) };
}

static LIVE: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
static PEAK: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// Marks the calling thread as the partner emulator's (a runtime's `on_thread_start`).
pub fn mark_partner_thread() {
    OWNER.with(|owner| owner.set(PARTNER));
}

/// Live and peak heap bytes of one owner.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeapFigures {
    pub live: usize,
    pub peak: usize,
}

/// herald's heap (the test's own bookkeeping included).
pub fn herald() -> HeapFigures {
    figures(HERALD)
}

/// The partner emulator's heap.
pub fn partner() -> HeapFigures {
    figures(PARTNER)
}

/// Starts a new peak for both owners from their live bytes now (for peaks per stretch of a
/// run).
pub fn reset_peaks() {
    for owner in [HERALD, PARTNER] {
        PEAK[owner].store(LIVE[owner].load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

fn figures(owner: usize) -> HeapFigures {
    HeapFigures {
        live: LIVE[owner].load(Ordering::Relaxed),
        peak: PEAK[owner].load(Ordering::Relaxed),
    }
}

/// The system allocator with an owner tag before every allocation.
pub struct OwnerTaggedAllocator;

/// Room in front of an allocation for its tag: at least a word, and a multiple of the
/// alignment so the bytes handed out stay aligned.
fn header(align: usize) -> usize {
    align.max(16)
}

fn count(owner: usize, grown: usize) {
    let live = LIVE[owner].fetch_add(grown, Ordering::Relaxed) + grown;
    PEAK[owner].fetch_max(live, Ordering::Relaxed);
}

fn current_owner() -> usize {
    OWNER.try_with(Cell::get).unwrap_or(HERALD)
}

unsafe impl GlobalAlloc for OwnerTaggedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let header = header(layout.align());
        let Ok(outer) = Layout::from_size_align(layout.size() + header, header) else {
            return std::ptr::null_mut();
        };
        // SAFETY: `outer` has a non-zero size (the header).
        let base = unsafe { System.alloc(outer) };
        if base.is_null() {
            return base;
        }
        let owner = current_owner();
        // SAFETY: `base + header` is inside the block, and the tag's word just before it too
        // (header ≥ 16); both are aligned for usize since header is a multiple of 16.
        unsafe {
            let user = base.add(header);
            (user as *mut usize).sub(1).write(owner);
            count(owner, layout.size());
            user
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let header = header(layout.align());
        // SAFETY: `ptr` came from `alloc` above with this layout, so its tag and block are
        // where `alloc` put them.
        unsafe {
            let owner = (ptr as *const usize).sub(1).read();
            LIVE[owner].fetch_sub(layout.size(), Ordering::Relaxed);
            let outer = Layout::from_size_align_unchecked(layout.size() + header, header);
            System.dealloc(ptr.sub(header), outer);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let header = header(layout.align());
        // SAFETY: as in `dealloc`; the block keeps its header size because the alignment does
        // not change, and its owner because the tag moves with the bytes.
        unsafe {
            let owner = (ptr as *const usize).sub(1).read();
            let outer = Layout::from_size_align_unchecked(layout.size() + header, header);
            let base = System.realloc(ptr.sub(header), outer, new_size + header);
            if base.is_null() {
                return base;
            }
            LIVE[owner].fetch_sub(layout.size(), Ordering::Relaxed);
            count(owner, new_size);
            base.add(header)
        }
    }
}
