//! The threaded, order-preserving pipeline: a reader, `jobs` workers and a writer passing a
//! fixed pool of chunk buffers around, so memory stays bounded whatever the input size.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::json_line::{internal_error_line, oversized_line};
use super::reader::LineReader;
use super::record::{decrypt_record_keyed, verify_record_keyed};
use super::{CHUNK_BYTES, Mode, Options, Scratch, StreamError, Tally, Verdict};

/// A chunk of whole lines on its way from the reader through a worker to the writer.
struct Chunk {
    seq: u64,
    first_line: u64,
    input: Vec<u8>,
    output: Vec<u8>,
    /// Set when the chunk stands for one line too long to hold (its length).
    oversized: Option<u64>,
    tally: Tally,
}

/// Checks one record and appends its result line; `Err` names the failure kind.
type RecordFn<'a> = dyn Fn(&[u8], u64, &mut Scratch, &mut Vec<u8>) -> Verdict + Sync + 'a;

/// Processes every line of a chunk into its output buffer. A record that panics (a bug) is
/// reported as an `internal` error line; without `isolate` the first panic propagates.
fn process_chunk(chunk: &mut Chunk, check: &RecordFn, scratch: &mut Scratch, isolate: bool) {
    chunk.output.clear();
    let mut tally = Tally {
        bytes: chunk.input.len() as u64 + chunk.oversized.unwrap_or(0),
        ..Tally::default()
    };
    if let Some(len) = chunk.oversized {
        tally.count(oversized_line(&mut chunk.output, chunk.first_line, len));
        chunk.tally = tally;
        return;
    }
    let input = &chunk.input;
    let mut line_no = chunk.first_line;
    let mut start = 0;
    while start < input.len() {
        let end = memchr::memchr(b'\n', &input[start..]).map_or(input.len(), |i| start + i);
        let line = &input[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            tally.blank += 1;
        } else if isolate {
            let mark = chunk.output.len();
            let out = &mut chunk.output;
            let verdict = catch_unwind(AssertUnwindSafe(|| check(line, line_no, scratch, out)))
                .unwrap_or_else(|_| {
                    *scratch = Scratch::default();
                    chunk.output.truncate(mark);
                    internal_error_line(&mut chunk.output, line_no)
                });
            tally.count(verdict);
        } else {
            tally.count(check(line, line_no, scratch, &mut chunk.output));
        }
        line_no += 1;
        start = end + 1;
    }
    chunk.tally = tally;
}

/// Runs a chunk; if it panics, runs it again record by record so that only the records that
/// panic become error lines. The fast path pays for no per-record unwinding guard.
fn process_chunk_safely(chunk: &mut Chunk, check: &RecordFn, scratch: &mut Scratch) {
    let first = catch_unwind(AssertUnwindSafe(|| {
        process_chunk(chunk, check, scratch, false)
    }));
    if first.is_err() {
        *scratch = Scratch::default();
        process_chunk(chunk, check, scratch, true);
    }
}

/// Streams JSON Lines from `input` to `output`, one result line per record, in input order.
/// Memory stays bounded by a fixed pool of chunk buffers whatever the input size. `progress`
/// is called after each chunk is written, with the running tally.
pub fn run<R: Read + Send, W: Write>(
    input: R,
    output: &mut W,
    opts: &Options,
    progress: &mut dyn FnMut(&Tally),
) -> std::result::Result<Tally, StreamError> {
    let (strict, key) = (opts.strict, opts.session_key);
    match opts.mode {
        Mode::Decrypt { appid } => {
            let check = move |line: &[u8], n, s: &mut Scratch, out: &mut Vec<u8>| {
                decrypt_record_keyed(line, n, appid, key, strict, s, out)
            };
            run_with(input, output, opts.jobs, &check, progress)
        }
        Mode::Verify => {
            let check = move |line: &[u8], n, s: &mut Scratch, out: &mut Vec<u8>| {
                verify_record_keyed(line, n, key, strict, s, out)
            };
            run_with(input, output, opts.jobs, &check, progress)
        }
    }
}

fn run_with<R: Read + Send, W: Write>(
    input: R,
    output: &mut W,
    jobs: usize,
    check: &RecordFn,
    progress: &mut dyn FnMut(&Tally),
) -> std::result::Result<Tally, StreamError> {
    let jobs = jobs.max(1);
    let pool_size = 2 * jobs + 2;
    let (pool_tx, pool_rx) = sync_channel::<Chunk>(pool_size);
    for _ in 0..pool_size {
        let chunk = Chunk {
            seq: 0,
            first_line: 0,
            input: Vec::with_capacity(CHUNK_BYTES + 1024),
            output: Vec::with_capacity(CHUNK_BYTES),
            oversized: None,
            tally: Tally::default(),
        };
        if pool_tx.send(chunk).is_err() {
            unreachable!("the pool channel holds pool_size chunks");
        }
    }
    let (work_tx, work_rx) = sync_channel::<Chunk>(pool_size);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<Chunk>(pool_size);

    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_chunks(input, pool_rx, work_tx));
        for _ in 0..jobs {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || work(&work_rx, &done_tx, check));
        }
        drop(work_rx);
        drop(done_tx);
        let written = write_in_order(output, done_rx, pool_tx, progress);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reader thread panicked")));
        let tally = written.map_err(StreamError::Write)?;
        read.map_err(StreamError::Read)?;
        Ok(tally)
    })
}

fn read_chunks<R: Read>(
    input: R,
    pool: Receiver<Chunk>,
    work: SyncSender<Chunk>,
) -> io::Result<()> {
    let mut reader = LineReader::new(input);
    let mut seq = 0;
    // A closed channel means the writer stopped (e.g. a closed pipe): stop quietly.
    while let Ok(mut chunk) = pool.recv() {
        let Some((lines, oversized)) = reader.next_chunk(&mut chunk.input)? else {
            break;
        };
        chunk.seq = seq;
        chunk.first_line = reader.next_line;
        chunk.oversized = oversized;
        reader.next_line += lines;
        seq += 1;
        if work.send(chunk).is_err() {
            break;
        }
    }
    Ok(())
}

fn work(queue: &Mutex<Receiver<Chunk>>, done: &SyncSender<Chunk>, check: &RecordFn) {
    let mut scratch = Scratch::default();
    loop {
        let next = match queue.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(mut chunk) = next else { return };
        process_chunk_safely(&mut chunk, check, &mut scratch);
        if done.send(chunk).is_err() {
            return;
        }
    }
}

fn write_in_order<W: Write>(
    output: &mut W,
    done: Receiver<Chunk>,
    pool: SyncSender<Chunk>,
    progress: &mut dyn FnMut(&Tally),
) -> io::Result<Tally> {
    let mut waiting: BTreeMap<u64, Chunk> = BTreeMap::new();
    let mut next = 0;
    let mut total = Tally::default();
    for chunk in done {
        waiting.insert(chunk.seq, chunk);
        while let Some(mut chunk) = waiting.remove(&next) {
            output.write_all(&chunk.output)?;
            total.add(&chunk.tally);
            progress(&total);
            next += 1;
            // One huge line must not keep its buffer's size for the rest of the run.
            chunk.input.shrink_to(4 * CHUNK_BYTES);
            chunk.output.shrink_to(4 * CHUNK_BYTES);
            // Once the reader is done the pool has no taker, and that is fine.
            let _ = pool.send(chunk);
        }
    }
    output.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11: a worker panic used to lose its chunk and leave the writer waiting forever.
    #[test]
    fn a_worker_panic_does_not_hang_the_pipeline_and_its_record_is_an_error_line() {
        let check = |line: &[u8], n: u64, _: &mut Scratch, out: &mut Vec<u8>| -> Verdict {
            assert!(line != b"boom", "a record that panics");
            out.extend_from_slice(format!("{{\"line\":{n},\"ok\":true}}\n").as_bytes());
            Ok(())
        };
        let input: String = (1..=20_000)
            .map(|n| {
                if n % 5000 == 0 {
                    "boom\n".to_string()
                } else {
                    format!("{n}\n")
                }
            })
            .collect();
        for jobs in [1, 4] {
            let mut out = Vec::new();
            let tally = run_with(input.as_bytes(), &mut out, jobs, &check, &mut |_| {})
                .unwrap_or_else(|_| panic!("the run must end"));
            assert_eq!(tally.records, 20_000);
            assert_eq!(tally.ok, 19_996);
            assert_eq!(tally.failed[4], 4, "counted as internal failures");
            assert_eq!(tally.failures(), 4);
            let text = String::from_utf8(out).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 20_000, "nothing silently dropped");
            let bad: serde_json::Value = serde_json::from_str(lines[4999]).unwrap();
            assert_eq!(bad["line"], 5000);
            assert_eq!(bad["ok"], false);
            assert_eq!(bad["error"]["kind"], "internal");
            assert_eq!(
                lines[5000], "{\"line\":5001,\"ok\":true}",
                "in order after it"
            );
        }
    }
}
