//! Recognition off the media path: [`RecognizerPool`], a few worker threads that decode every
//! call's utterances, and [`CallRecognizer`], a call's non-blocking handle to it.
//!
//! Each call has its own bounded queue (tokio's `mpsc`, as the rest of CareLine) and a flag
//! saying whether it is waiting for a worker. Feeding a frame is a `try_send` and, at most
//! once per batch, a send on the pool's unbounded ready list: neither waits. A worker takes a
//! call off the ready list, runs its queued messages through the call's [`Recognizer`] in
//! order, and puts it back if more arrived, so one call's messages are never handled by two
//! workers at once and stay in order, while different calls run in parallel.
//!
//! If the workers fall behind, a call's queue fills and its frames are dropped (counted)
//! rather than waiting: the RTP path is never delayed, and the utterance's [`Heard`] says it
//! was degraded.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::SpeechError;
use crate::listen::FRAME_SAMPLES;
use crate::model::Model;
use crate::recognizer::{Options, Recognized, Recognizer, SphinxRecognizer};

/// What an utterance came to, from the pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// What was recognized, or `None` (nothing in the grammar; only noise).
    pub recognized: Option<Recognized>,
    /// Frames of this utterance dropped because the pool was behind: the recognizer heard
    /// the utterance with gaps.
    pub dropped_frames: u32,
    /// Milliseconds from [`CallRecognizer::end`] to the result being ready: the wait the
    /// pool added after the end of speech (queueing and the final decode).
    pub wait_ms: f32,
}

impl Heard {
    /// Whether frames were dropped: the result may be worse than the audio deserved (the
    /// dialogue may treat it as not understood, or ask again).
    pub fn degraded(&self) -> bool {
        self.dropped_frames > 0
    }
}

/// The result of one utterance, to be awaited (`.await`), polled (`try_recv`) or waited
/// for on a plain thread (`blocking_recv`). A closed channel means the pool shut down.
pub type PendingResult = oneshot::Receiver<Result<Heard, SpeechError>>;

/// Makes a call's [`Recognizer`] (on a worker thread, at the call's first utterance).
pub type RecognizerFactory = dyn Fn() -> Box<dyn Recognizer> + Send + Sync;

/// How the pool is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// Worker threads decoding (at most one decode per core is useful).
    pub threads: usize,
    /// Messages a call's queue holds before frames are dropped: 50 is one second of 20 ms
    /// frames behind. A few more places are kept for begin/end.
    pub queue_frames: usize,
}

impl Default for PoolConfig {
    fn default() -> PoolConfig {
        PoolConfig {
            threads: 2,
            queue_frames: 50,
        }
    }
}

/// Places in a call's queue kept for begin, end and cancel when frames no longer fit.
const CONTROL_HEADROOM: usize = 4;
/// Messages a worker handles for one call before letting the next call have its turn.
const BATCH: usize = 16;

// Frames travel inline (320 bytes), so feeding a frame allocates nothing on the media path.
#[allow(clippy::large_enum_variant)]
enum Msg {
    Begin {
        grammar: Arc<str>,
        options: Options,
    },
    Frame([i16; FRAME_SAMPLES]),
    End {
        reply: oneshot::Sender<Result<Heard, SpeechError>>,
        ended: Instant,
        dropped: u32,
    },
    Cancel,
}

/// A call as the workers see it.
struct Call {
    /// True while the call is on the ready list or being worked on.
    scheduled: AtomicBool,
    work: Mutex<Work>,
}

struct Work {
    rx: mpsc::Receiver<Msg>,
    recognizer: Option<Box<dyn Recognizer>>,
    /// Whether the utterance under way failed (its later frames are skipped; its end reports
    /// the error).
    failed: Option<SpeechError>,
    open: bool,
}

struct Shared {
    ready: std_mpsc::Sender<Arc<Call>>,
    factory: Box<RecognizerFactory>,
    dropped_total: AtomicU64,
    calls: AtomicU64,
}

/// Worker threads recognizing every call's utterances. Dropping the pool stops the workers
/// once every [`CallRecognizer`] is gone and the ready list is drained.
pub struct RecognizerPool {
    shared: Arc<Shared>,
    config: PoolConfig,
    workers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for RecognizerPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecognizerPool")
            .field("config", &self.config)
            .field("dropped_frames", &self.dropped_frames())
            .finish()
    }
}

impl RecognizerPool {
    /// PocketSphinx on `threads` worker threads, default queues.
    pub fn new(model: &Model, threads: usize) -> RecognizerPool {
        let model = model.clone();
        RecognizerPool::with_factory(
            PoolConfig {
                threads,
                ..PoolConfig::default()
            },
            Box::new(move || Box::new(SphinxRecognizer::new(&model))),
        )
    }

    /// Any [`Recognizer`], made per call by `factory`.
    pub fn with_factory(config: PoolConfig, factory: Box<RecognizerFactory>) -> RecognizerPool {
        let (ready, ready_rx) = std_mpsc::channel::<Arc<Call>>();
        let ready_rx = Arc::new(Mutex::new(ready_rx));
        let shared = Arc::new(Shared {
            ready,
            factory,
            dropped_total: AtomicU64::new(0),
            calls: AtomicU64::new(0),
        });
        let workers = (0..config.threads.max(1))
            .map(|i| {
                let rx = Arc::clone(&ready_rx);
                let shared = Arc::downgrade(&shared);
                std::thread::Builder::new()
                    .name(format!("speech-{i}"))
                    .spawn(move || worker(&rx, &shared))
                    .expect("a speech worker thread starts")
            })
            .collect();
        RecognizerPool {
            shared,
            config,
            workers,
        }
    }

    /// A handle for one call. Cheap; the call's recognizer is made by a worker at the first
    /// utterance.
    pub fn call(&self) -> CallRecognizer {
        let (tx, rx) = mpsc::channel(self.config.queue_frames.max(1) + CONTROL_HEADROOM);
        self.shared.calls.fetch_add(1, Ordering::Relaxed);
        CallRecognizer {
            call: Arc::new(Call {
                scheduled: AtomicBool::new(false),
                work: Mutex::new(Work {
                    rx,
                    recognizer: None,
                    failed: None,
                    open: false,
                }),
            }),
            tx,
            shared: Arc::clone(&self.shared),
            dropped: Arc::new(AtomicU32::new(0)),
            open: false,
            begin_lost: false,
        }
    }

    /// Frames dropped so far, all calls together (a metric: the pool is too small).
    pub fn dropped_frames(&self) -> u64 {
        self.shared.dropped_total.load(Ordering::Relaxed)
    }
}

impl Drop for RecognizerPool {
    fn drop(&mut self) {
        // The workers hold the ready list's receiver; it disconnects when every sender (the
        // pool's and each handle's, all inside `Shared`) is gone. Handles may outlive the
        // pool, so the workers are detached rather than joined.
        self.workers.clear();
    }
}

/// One call's way to the pool: feed it the utterance's frames from the media path; nothing
/// here waits. `Send`; not `Clone` (one feeder per call keeps the order).
pub struct CallRecognizer {
    call: Arc<Call>,
    tx: mpsc::Sender<Msg>,
    shared: Arc<Shared>,
    /// Frames dropped in the utterance under way.
    dropped: Arc<AtomicU32>,
    open: bool,
    /// The utterance's `Begin` did not fit in the queue: it cannot be recognized.
    begin_lost: bool,
}

impl std::fmt::Debug for CallRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRecognizer")
            .field("open", &self.open)
            .finish()
    }
}

impl CallRecognizer {
    /// Starts an utterance with this step's grammar (JSGF) and options. An utterance still
    /// open is abandoned.
    pub fn begin(&mut self, grammar: Arc<str>, options: Options) {
        self.dropped.store(0, Ordering::Relaxed);
        self.open = true;
        // If not even a control message fits, the whole utterance is lost: `end` says so.
        self.begin_lost = !self.send_control(Msg::Begin { grammar, options });
    }

    /// The utterance's next 20 ms frame (8 kHz, 160 samples; shorter is padded). Dropped
    /// (and counted) if the pool is behind; ignored outside an utterance.
    pub fn feed(&mut self, frame_8k: &[i16]) {
        if !self.open {
            return;
        }
        if self.begin_lost {
            self.drop_frame();
            return;
        }
        // Frames leave room for the control messages.
        if self.tx.capacity() <= CONTROL_HEADROOM {
            self.drop_frame();
            return;
        }
        let mut f = [0i16; FRAME_SAMPLES];
        let n = frame_8k.len().min(FRAME_SAMPLES);
        f[..n].copy_from_slice(&frame_8k[..n]);
        match self.tx.try_send(Msg::Frame(f)) {
            Ok(()) => self.schedule(),
            Err(_) => self.drop_frame(),
        }
    }

    /// Ends the utterance; its result arrives on the returned receiver. Without an open
    /// utterance the result is [`SpeechError::NotStarted`].
    pub fn end(&mut self) -> PendingResult {
        let (reply, pending) = oneshot::channel();
        if !std::mem::take(&mut self.open) {
            let _ = reply.send(Err(SpeechError::NotStarted));
            return pending;
        }
        if std::mem::take(&mut self.begin_lost) {
            let _ = reply.send(Err(SpeechError::Overloaded));
            return pending;
        }
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        let msg = Msg::End {
            reply,
            ended: Instant::now(),
            dropped,
        };
        match self.tx.try_send(msg) {
            Ok(()) => self.schedule(),
            Err(e) => {
                // The queue is full even of control messages: the pool is far behind.
                if let Msg::End { reply, .. } = e.into_inner() {
                    let _ = reply.send(Err(SpeechError::Overloaded));
                }
            }
        }
        pending
    }

    /// Abandons the utterance without a result (the listener discarded it).
    pub fn cancel(&mut self) {
        if std::mem::take(&mut self.open) && !std::mem::take(&mut self.begin_lost) {
            self.send_control(Msg::Cancel);
        }
    }

    /// Frames dropped so far in the utterance under way.
    pub fn dropped_frames(&self) -> u32 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn drop_frame(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
        self.shared.dropped_total.fetch_add(1, Ordering::Relaxed);
    }

    fn send_control(&self, msg: Msg) -> bool {
        let sent = self.tx.try_send(msg).is_ok();
        if sent {
            self.schedule();
        }
        sent
    }

    /// Puts the call on the ready list unless it is already there or being worked on.
    fn schedule(&self) {
        if !self.call.scheduled.swap(true, Ordering::AcqRel) {
            let _ = self.shared.ready.send(Arc::clone(&self.call));
        }
    }
}

impl Drop for CallRecognizer {
    fn drop(&mut self) {
        // The queue's sender goes with this handle; a worker sees it closed and frees the
        // call's decoder there, not on the media path.
        let (tx, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.tx, tx));
        self.schedule();
    }
}

fn worker(ready: &Mutex<std_mpsc::Receiver<Arc<Call>>>, shared: &std::sync::Weak<Shared>) {
    loop {
        let call = {
            let rx = ready.lock().unwrap_or_else(|e| e.into_inner());
            match rx.recv() {
                Ok(call) => call,
                Err(_) => return,
            }
        };
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let more = {
            let mut work = call.work.lock().unwrap_or_else(|e| e.into_inner());
            run(&mut work, &shared)
        };
        call.scheduled.store(false, Ordering::Release);
        // Messages that came after the last look, while still marked scheduled, were not
        // announced: look again.
        let pending = more || {
            let work = call.work.lock().unwrap_or_else(|e| e.into_inner());
            !work.rx.is_empty()
        };
        if pending && !call.scheduled.swap(true, Ordering::AcqRel) {
            let _ = shared.ready.send(call);
        }
    }
}

/// Handles up to [`BATCH`] of a call's messages; whether more are waiting.
fn run(work: &mut Work, shared: &Shared) -> bool {
    for _ in 0..BATCH {
        let msg = match work.rx.try_recv() {
            Ok(msg) => msg,
            Err(mpsc::error::TryRecvError::Empty) => return false,
            Err(mpsc::error::TryRecvError::Disconnected) => {
                // The call is over: free its decoder here.
                work.recognizer = None;
                return false;
            }
        };
        handle(work, shared, msg);
    }
    true
}

fn handle(work: &mut Work, shared: &Shared, msg: Msg) {
    match msg {
        Msg::Begin { grammar, options } => {
            let r = work
                .recognizer
                .get_or_insert_with(|| (shared.factory)())
                .begin(&grammar, options);
            work.failed = r.err();
            work.open = true;
        }
        Msg::Frame(frame) => {
            if work.open
                && work.failed.is_none()
                && let Some(r) = &mut work.recognizer
                && let Err(e) = r.feed(&frame)
            {
                work.failed = Some(e);
            }
        }
        Msg::End {
            reply,
            ended,
            dropped,
        } => {
            let result = match (work.open, work.failed.take(), &mut work.recognizer) {
                (false, _, _) | (_, _, None) => Err(SpeechError::NotStarted),
                (true, Some(e), Some(r)) => {
                    r.cancel();
                    Err(e)
                }
                (true, None, Some(r)) => r.end().map(|recognized| Heard {
                    recognized,
                    dropped_frames: dropped,
                    wait_ms: ended.elapsed().as_secs_f32() * 1000.0,
                }),
            };
            work.open = false;
            // The call may have hung up meanwhile.
            let _ = reply.send(result);
        }
        Msg::Cancel => {
            if let Some(r) = &mut work.recognizer {
                r.cancel();
            }
            work.open = false;
            work.failed = None;
        }
    }
}
