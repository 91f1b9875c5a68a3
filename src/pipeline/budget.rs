//! A budget of memory for the pages in the CPU stages at once: each page
//! reserves what its parse is estimated to take before it is parsed, and
//! waits while the others hold the rest. The estimate comes from the cheap
//! scan of the guard (`guard::Complexity::memory`), before any tree is
//! built, so no page can take the worker past the budget, and one that
//! would alone is refused.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// Bytes of memory shared by the pages being processed.
#[derive(Debug)]
pub struct MemoryBudget {
    capacity: usize,
    used: Mutex<usize>,
    freed: Condvar,
}

/// Why a reservation was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// The page alone would take more than the whole budget.
    TooBig,
    /// The deadline passed while waiting for the others to finish.
    Late,
}

impl MemoryBudget {
    /// A budget of `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        MemoryBudget {
            capacity,
            used: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// The whole budget, in bytes.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Reserves `bytes`, waiting (until `until`, if given) while the pages
    /// being processed hold too much of the budget.
    pub fn reserve(
        self: &Arc<Self>,
        bytes: usize,
        until: Option<Instant>,
    ) -> Result<Reservation, Shortfall> {
        if bytes > self.capacity {
            return Err(Shortfall::TooBig);
        }
        // A poisoned lock only means a holder panicked; the count is still
        // right (its reservation was released by its drop).
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        while *used + bytes > self.capacity {
            used = match until {
                None => self.freed.wait(used).unwrap_or_else(|p| p.into_inner()),
                Some(t) => {
                    let left = t.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Shortfall::Late);
                    }
                    self.freed
                        .wait_timeout(used, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
        *used += bytes;
        Ok(Reservation {
            budget: Arc::clone(self),
            bytes,
        })
    }

    /// Bytes reserved now.
    pub fn used(&self) -> usize {
        *self.used.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Memory reserved for one page, given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    budget: Arc<MemoryBudget>,
    bytes: usize,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(|p| p.into_inner());
        *used -= self.bytes;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn pages_wait_for_room_and_one_too_big_is_refused() {
        let budget = Arc::new(MemoryBudget::new(100));
        assert_eq!(budget.reserve(101, None).unwrap_err(), Shortfall::TooBig);
        let a = budget.reserve(70, None).unwrap();
        assert_eq!(budget.used(), 70);
        let soon = Instant::now() + Duration::from_millis(50);
        assert_eq!(budget.reserve(40, Some(soon)).unwrap_err(), Shortfall::Late);
        let waiter = {
            let budget = Arc::clone(&budget);
            std::thread::spawn(move || budget.reserve(40, None).map(|r| r.bytes))
        };
        std::thread::sleep(Duration::from_millis(30));
        drop(a);
        assert_eq!(waiter.join().unwrap(), Ok(40));
        assert_eq!(budget.used(), 0);
    }
}
