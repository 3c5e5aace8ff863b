//! A progress bar on standard error, drawn only when it is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counts work done by any thread; the owner draws it.
pub struct Progress {
    done: AtomicU64,
    total: u64,
    label: String,
    started: Instant,
    enabled: bool,
}

impl Progress {
    /// A bar for `total` units of `label`, drawn when standard error is a terminal.
    pub fn new(total: u64, label: &str) -> Progress {
        Progress {
            done: AtomicU64::new(0),
            total,
            label: label.into(),
            started: Instant::now(),
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// A bar that never draws (for tests and library callers).
    pub fn hidden() -> Progress {
        Progress { enabled: false, ..Progress::new(0, "") }
    }

    /// Records `n` more units done.
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Redraws the bar.
    pub fn draw(&self) {
        if !self.enabled {
            return;
        }
        let done = self.done.load(Ordering::Relaxed).min(self.total.max(1));
        let width = 30;
        let filled = (done * width / self.total.max(1)) as usize;
        let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        let _ = write!(
            std::io::stderr(),
            "\r[{}{}] {done}/{} {} ({rate:.0}/s)  ",
            "#".repeat(filled),
            ".".repeat(width as usize - filled),
            self.total,
            self.label
        );
    }

    /// Clears the bar's line.
    pub fn finish(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr(), "\r{}\r", " ".repeat(80));
        }
    }

    /// Draws every `every` until `running` says stop.
    pub fn watch(&self, every: Duration, running: impl Fn() -> bool) {
        while running() {
            self.draw();
            std::thread::sleep(every);
        }
        self.finish();
    }
}
