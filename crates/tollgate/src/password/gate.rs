//! The turns of password work: at most so many Argon2id runs at once, each in a buffer kept
//! for the next, a bounded queue with a bounded wait, and its metrics.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use argon2::Block;

use super::PasswordLimits;
use crate::error::Error;

/// The turns: at most `concurrent` runs at once, each with a buffer of its own.
#[derive(Debug)]
pub(super) struct Gate {
    pub(super) limits: PasswordLimits,
    /// The blocks of a buffer (the parameters' memory, in KiB).
    blocks: usize,
    turns: Mutex<Turns>,
    freed: Condvar,
}

#[derive(Debug, Default)]
pub(super) struct Turns {
    running: usize,
    waiting: usize,
    pub(super) idle: Vec<Box<[Block]>>,
}

impl Gate {
    pub(super) fn new(limits: PasswordLimits, blocks: usize) -> Self {
        Self {
            limits,
            blocks,
            turns: Mutex::new(Turns::default()),
            freed: Condvar::new(),
        }
    }

    pub(super) fn lock(&self) -> Result<MutexGuard<'_, Turns>, Error> {
        self.turns.lock().map_err(|_| Error::Poisoned)
    }

    /// Runs `work` in its turn, with a buffer of at least `blocks` blocks.
    pub(super) fn run<T>(
        &self,
        blocks: usize,
        work: impl FnOnce(&mut [Block]) -> T,
    ) -> Result<T, Error> {
        let mut buffer = self.acquire()?;
        // A stored hash with more memory than the service's parameters (an older, stronger
        // setting) gets a buffer of its own, still within the turn.
        if buffer.len() < blocks {
            buffer = vec![Block::new(); blocks].into_boxed_slice();
        }
        let result = work(&mut buffer);
        self.release(buffer);
        Ok(result)
    }

    #[expect(
        clippy::disallowed_methods,
        reason = "the queue's wait is for CPU time on this machine, not for the login's clock"
    )]
    pub(super) fn acquire(&self) -> Result<Box<[Block]>, Error> {
        let asked = Instant::now();
        let mut turns = self.lock()?;
        if turns.running >= self.limits.concurrent {
            if turns.waiting >= self.limits.queue {
                metrics::counter!("tollgate_password_busy_total").increment(1);
                return Err(Error::Busy);
            }
            turns.waiting += 1;
            metrics::gauge!("tollgate_password_queue_depth").set(count(turns.waiting));
            let deadline = Instant::now() + self.limits.wait;
            while turns.running >= self.limits.concurrent {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    turns.waiting -= 1;
                    metrics::gauge!("tollgate_password_queue_depth").set(count(turns.waiting));
                    metrics::counter!("tollgate_password_busy_total").increment(1);
                    return Err(Error::Busy);
                }
                turns = self
                    .freed
                    .wait_timeout(turns, left)
                    .map_err(|_| Error::Poisoned)?
                    .0;
            }
            turns.waiting -= 1;
            metrics::gauge!("tollgate_password_queue_depth").set(count(turns.waiting));
        }
        turns.running += 1;
        metrics::histogram!("tollgate_password_wait_seconds").record(asked.elapsed().as_secs_f64());
        let buffer = turns.idle.pop();
        drop(turns);
        Ok(buffer.unwrap_or_else(|| vec![Block::new(); self.blocks].into_boxed_slice()))
    }

    pub(super) fn release(&self, buffer: Box<[Block]>) {
        // A poisoned lock loses the turn's count; nothing else can be done with it.
        if let Ok(mut turns) = self.turns.lock() {
            turns.running -= 1;
            if buffer.len() == self.blocks && turns.idle.len() < self.limits.concurrent {
                turns.idle.push(buffer);
            }
            drop(turns);
            self.freed.notify_one();
        }
    }
}

/// A queue's length, for a gauge.
fn count(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}
