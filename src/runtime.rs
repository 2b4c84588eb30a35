//! The one place the command-line tool builds a tokio runtime; the core and the mock never do
//! (a library user brings their own).

use tokio::runtime::{Builder, Runtime};

use crate::core::{Error, Result};

/// How many threads a runtime runs its tasks on.
#[derive(Debug, Clone, Copy)]
pub enum Threads {
    /// The calling thread: one network call at a time.
    Current,
    /// A fixed number of worker threads.
    Workers(usize),
    /// One worker per core: a server under load.
    PerCore,
}

pub fn build(threads: Threads) -> Result<Runtime> {
    let mut builder = match threads {
        Threads::Current => Builder::new_current_thread(),
        Threads::Workers(n) => {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(n.max(1));
            b
        }
        Threads::PerCore => Builder::new_multi_thread(),
    };
    builder.enable_all().build().map_err(|e| {
        Error::transport(
            format!("cannot start the async runtime: {e}"),
            "the system is out of threads or file descriptors",
        )
    })
}

/// Runs one future on a fresh current-thread runtime: the network commands' runtime.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    Ok(build(Threads::Current)?.block_on(future))
}
