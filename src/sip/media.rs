//! RTP for every SIP call. A few media threads (one per core by default) each own a share of
//! the calls and wake every 20 ms on a fixed schedule: each wake sends one packet per call
//! (prompt audio or silence), then reads what each caller sent since the last wake (keys as
//! RFC 4733 events or in-band tones, and the time of the last packet, for the silence
//! timeout). No call has a task or timer of its own; a call is a row in a thread's table.
//!
//! The schedule is absolute (start + n × 20 ms), so pacing does not drift however long a
//! wake takes. How late each packet leaves against its slot is counted in [`MediaStats`].

use super::recorder::Recorder;
use crate::voice_agent::{CallEars, Expectation, Heard};
use careline_media::dtmf::{EventReceiver, TelephoneEvent, ToneDetector};
use careline_media::g711::Law;
use careline_media::rtp::{self, RtpHeader};
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// One packet of G.711: 20 ms at 8 kHz.
pub const FRAME: usize = 160;
const PTIME: Duration = Duration::from_millis(20);
/// A wake this far behind its slot gives up on catching up (the machine stalled); the
/// packets it skipped are counted late.
const MAX_BEHIND: Duration = Duration::from_millis(200);
/// A packet later than this against its slot counts as late (the 5 ms).
const LATE: Duration = Duration::from_millis(5);

/// Where a key came from, for the call's record and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfVia {
    Rfc4733,
    Info,
    InBand,
}

/// What the media threads tell a call's control task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// The caller has been talking for a quarter second (with the voice agent on): an answer
    /// is coming, so the question's timeout waits. A prompt that allowed barge-in has stopped
    /// (and `PromptsDone` was sent before this).
    Speaking,
    /// The caller finished an utterance; its recognition is under way.
    Utterance(Recognition),
    /// A key the caller pressed that the call should act on. Keys pressed during a prompt
    /// that may not be interrupted are dropped here, before this event.
    Key { key: char, via: DtmfVia },
    /// Everything queued has been played (or a key interrupted it).
    PromptsDone,
    /// The caller sent no RTP for longer than the silence limit.
    Silence,
}

/// An utterance's recognition under way: the receiver is taken once, by the control task.
#[derive(Clone)]
pub struct Recognition {
    pending: Arc<std::sync::Mutex<Option<careline_speech::PendingResult>>>,
    /// When the caller stopped talking: the start of their wait for the reply.
    pub stopped_at: Instant,
}

impl Recognition {
    pub fn take(&self) -> Option<careline_speech::PendingResult> {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

impl PartialEq for Recognition {
    fn eq(&self, other: &Recognition) -> bool {
        Arc::ptr_eq(&self.pending, &other.pending)
    }
}

impl Eq for Recognition {}

impl std::fmt::Debug for Recognition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recognition").finish_non_exhaustive()
    }
}

/// Where to send, how to encode, and which way audio flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamParams {
    pub remote: Option<SocketAddr>,
    pub law: Law,
    pub payload_type: u8,
    pub dtmf_payload_type: Option<u8>,
    /// We send audio (false while the caller holds us: our answer is recvonly or inactive).
    pub sending: bool,
    /// The caller sends audio (false on hold): the silence timeout runs only then.
    pub receiving: bool,
}

/// Counters over every stream of the process, read by `/metrics` and the load benchmark.
pub static STATS: MediaStats = MediaStats {
    packets_sent: AtomicU64::new(0),
    packets_received: AtomicU64::new(0),
    packets_late: AtomicU64::new(0),
    max_late_us: AtomicU64::new(0),
    packets_ignored: AtomicU64::new(0),
    streams: AtomicU64::new(0),
};

#[derive(Debug)]
pub struct MediaStats {
    pub packets_sent: AtomicU64,
    pub packets_received: AtomicU64,
    /// Packets that left more than 5 ms after their slot.
    pub packets_late: AtomicU64,
    /// The latest any packet left against its slot, microseconds.
    pub max_late_us: AtomicU64,
    /// Datagrams on a media port that were not RTP we could use.
    pub packets_ignored: AtomicU64,
    pub streams: AtomicU64,
}

enum Command {
    Add(Box<Stream>),
    Play {
        id: u64,
        clips: Vec<Arc<[i16]>>,
        barge_in: bool,
    },
    Flush {
        id: u64,
    },
    Update {
        id: u64,
        params: StreamParams,
    },
    Key {
        id: u64,
        key: char,
        via: DtmfVia,
    },
    /// Leave the caller's side out of the recording (they are keying a secret), or not.
    Mask {
        id: u64,
        on: bool,
    },
    /// Listen to the caller with the voice agent from now on.
    Listen {
        id: u64,
        ears: Box<CallEars>,
    },
    /// What the question now asked listens for (`None`: keys only).
    Expect {
        id: u64,
        expectation: Option<Expectation>,
    },
    Remove {
        id: u64,
    },
}

impl Command {
    /// The stream a command is for (`None` for `Add`, whose stream is not in the table yet).
    fn stream(&self) -> Option<u64> {
        match self {
            Command::Add(_) => None,
            Command::Play { id, .. }
            | Command::Flush { id }
            | Command::Update { id, .. }
            | Command::Key { id, .. }
            | Command::Mask { id, .. }
            | Command::Listen { id, .. }
            | Command::Expect { id, .. }
            | Command::Remove { id } => Some(*id),
        }
    }
}

/// The media threads.
pub struct MediaEngine {
    workers: Vec<mpsc::Sender<Command>>,
    next_id: AtomicU64,
    stats: &'static MediaStats,
    ports: PortRange,
    silence: Duration,
}

/// The UDP ports RTP may use: `first..=last`, or any free port when `first` is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

impl PortRange {
    pub fn parse(s: &str) -> Result<PortRange, String> {
        let s = s.trim();
        if s == "0" || s == "any" {
            return Ok(PortRange { first: 0, last: 0 });
        }
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("'{s}' is not a range like 10000-20000 (or 0 for any)"))?;
        let first: u16 = a
            .trim()
            .parse()
            .map_err(|_| format!("'{a}' is not a port"))?;
        let last: u16 = b
            .trim()
            .parse()
            .map_err(|_| format!("'{b}' is not a port"))?;
        if first < 1024 || last < first {
            return Err(format!(
                "'{s}': ports must be 1024 or above, first before last"
            ));
        }
        Ok(PortRange { first, last })
    }
}

/// A call's handle on its stream.
pub struct MediaHandle {
    pub id: u64,
    pub local: SocketAddr,
    worker: mpsc::Sender<Command>,
}

impl MediaHandle {
    /// Queue prompts after whatever is playing. `barge_in`: a key stops them.
    pub fn play(&self, clips: Vec<Arc<[i16]>>, barge_in: bool) {
        let _ = self.worker.send(Command::Play {
            id: self.id,
            clips,
            barge_in,
        });
    }

    /// Stop what is playing, without a `PromptsDone`.
    pub fn flush(&self) {
        let _ = self.worker.send(Command::Flush { id: self.id });
    }

    pub fn update(&self, params: StreamParams) {
        let _ = self.worker.send(Command::Update {
            id: self.id,
            params,
        });
    }

    /// While on, the recording (if any) has silence for the caller.
    pub fn mask(&self, on: bool) {
        let _ = self.worker.send(Command::Mask { id: self.id, on });
    }

    /// Hear the caller through the voice agent's ears from now on.
    pub fn listen(&self, ears: CallEars) {
        let _ = self.worker.send(Command::Listen {
            id: self.id,
            ears: Box::new(ears),
        });
    }

    /// What the question now asked listens for (`None`: keys only, or nothing asked).
    pub fn expect(&self, expectation: Option<Expectation>) {
        let _ = self.worker.send(Command::Expect {
            id: self.id,
            expectation,
        });
    }

    /// A key that arrived by signalling (SIP INFO): it goes through the same barge-in rules
    /// as keys heard in the audio.
    pub fn key(&self, key: char, via: DtmfVia) {
        let _ = self.worker.send(Command::Key {
            id: self.id,
            key,
            via,
        });
    }
}

impl Drop for MediaHandle {
    fn drop(&mut self) {
        let _ = self.worker.send(Command::Remove { id: self.id });
    }
}

impl MediaEngine {
    /// Start `threads` media threads; their slots are spread across the 20 ms so their
    /// sends do not all start at once.
    pub fn start(threads: usize, ports: PortRange, silence: Duration) -> Arc<MediaEngine> {
        let threads = threads.max(1);
        let stats = &STATS;
        let t0 = Instant::now() + Duration::from_millis(5);
        let workers = (0..threads)
            .map(|n| {
                let (tx, rx) = mpsc::channel();
                let first = t0 + PTIME * n as u32 / threads as u32;
                std::thread::Builder::new()
                    .name(format!("careline-rtp-{n}"))
                    .spawn(move || worker(rx, stats, first))
                    .expect("spawn a media thread");
                tx
            })
            .collect();
        Arc::new(MediaEngine {
            workers,
            next_id: AtomicU64::new(1),
            stats,
            ports,
            silence,
        })
    }

    pub fn stats(&self) -> &'static MediaStats {
        self.stats
    }

    /// Bind an RTP port on `ip` for a new call (an even port in the range, as RTP expects).
    pub fn bind(&self, ip: IpAddr) -> std::io::Result<UdpSocket> {
        if self.ports.first == 0 {
            return UdpSocket::bind(SocketAddr::new(ip, 0));
        }
        let span = u32::from(self.ports.last - self.ports.first) / 2 + 1;
        let start = rand::random::<u32>() % span;
        for i in 0..span {
            let port = self.ports.first as u32 + 2 * ((start + i) % span);
            if port > u32::from(self.ports.last) {
                continue;
            }
            if let Ok(s) = UdpSocket::bind(SocketAddr::new(ip, port as u16)) {
                return Ok(s);
            }
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "every RTP port in the range is in use",
        ))
    }

    /// Hand a bound socket to a media thread. Events for the call arrive on `events`; with a
    /// `recorder`, the call is recorded and its chunks sent there as they are cut (the last when
    /// the handle is dropped, then the recorder's channel closes).
    pub fn add(
        &self,
        socket: UdpSocket,
        params: StreamParams,
        events: UnboundedSender<MediaEvent>,
        recorder: Option<Recorder>,
    ) -> std::io::Result<MediaHandle> {
        socket.set_nonblocking(true)?;
        let local = socket.local_addr()?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let worker = self.workers[(id as usize) % self.workers.len()].clone();
        let mut stream = Stream::new(id, socket, params, events, self.silence);
        stream.recorder = recorder;
        worker
            .send(Command::Add(Box::new(stream)))
            .map_err(|_| std::io::Error::other("the media thread stopped"))?;
        self.stats.streams.fetch_add(1, Ordering::Relaxed);
        Ok(MediaHandle { id, local, worker })
    }
}

/// One call's RTP.
struct Stream {
    id: u64,
    socket: UdpSocket,
    params: StreamParams,
    events: UnboundedSender<MediaEvent>,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
    first_packet: bool,
    queue: VecDeque<Arc<[i16]>>,
    position: usize,
    playing: bool,
    barge_in: bool,
    telephone_events: EventReceiver,
    /// In-band detection runs until the caller shows it sends RFC 4733 events, so a phone
    /// that sends both does not press every key twice.
    tones: Option<ToneDetector>,
    last_received: Instant,
    silence: Duration,
    silence_reported: bool,
    packet: Vec<u8>,
    pcm: Vec<i16>,
    recorder: Option<Recorder>,
    /// The voice agent, when it listens on this call; `heard` keeps audio short of a frame.
    ears: Option<Box<CallEars>>,
    heard: Vec<i16>,
}

impl Stream {
    fn new(
        id: u64,
        socket: UdpSocket,
        params: StreamParams,
        events: UnboundedSender<MediaEvent>,
        silence: Duration,
    ) -> Stream {
        Stream {
            id,
            socket,
            params,
            events,
            sequence: rand::random(),
            timestamp: rand::random(),
            ssrc: rand::random(),
            first_packet: true,
            queue: VecDeque::new(),
            position: 0,
            playing: false,
            barge_in: false,
            telephone_events: EventReceiver::default(),
            tones: Some(ToneDetector::new()),
            last_received: Instant::now(),
            silence,
            silence_reported: false,
            packet: Vec::with_capacity(rtp::HEADER_LEN + FRAME),
            pcm: Vec::with_capacity(FRAME * 2),
            recorder: None,
            ears: None,
            heard: Vec::new(),
        }
    }

    /// The next 20 ms of audio into `self.packet` (after the header), silence when nothing
    /// is queued. Returns true when the queue just ran out.
    fn next_frame(&mut self) -> bool {
        let mut frame = [0i16; FRAME];
        let mut filled = 0;
        while filled < FRAME {
            let Some(clip) = self.queue.front() else {
                break;
            };
            let take = (clip.len() - self.position).min(FRAME - filled);
            frame[filled..filled + take]
                .copy_from_slice(&clip[self.position..self.position + take]);
            filled += take;
            self.position += take;
            if self.position >= clip.len() {
                self.queue.pop_front();
                self.position = 0;
            }
        }
        self.params.law.encode(&frame, &mut self.packet);
        if let Some(r) = &mut self.recorder {
            match (self.params.sending, self.params.law) {
                // The payload just encoded is the recording's µ-law already.
                (true, Law::Ulaw) => r.ours_mulaw(&self.packet[rtp::HEADER_LEN..]),
                (true, Law::Alaw) => r.ours(&frame),
                (false, _) => r.ours(&[0; FRAME]),
            }
        }
        let finished = self.playing && self.queue.is_empty();
        if finished {
            self.playing = false;
        }
        finished
    }

    fn send(&mut self, slot: Instant, stats: &MediaStats) {
        self.packet.clear();
        RtpHeader {
            marker: self.first_packet,
            payload_type: self.params.payload_type,
            sequence: self.sequence,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
        }
        .write(&mut self.packet);
        let finished = self.next_frame();
        // Timestamps advance whether or not we send, so a resumed stream stays on the clock.
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME as u32);
        if let (true, Some(to)) = (self.params.sending, self.params.remote)
            && self.socket.send_to(&self.packet, to).is_ok()
        {
            self.first_packet = false;
            let late = slot.elapsed();
            stats.packets_sent.fetch_add(1, Ordering::Relaxed);
            if late > LATE {
                stats.packets_late.fetch_add(1, Ordering::Relaxed);
            }
            stats
                .max_late_us
                .fetch_max(late.as_micros() as u64, Ordering::Relaxed);
        }
        if finished {
            let _ = self.events.send(MediaEvent::PromptsDone);
        }
    }

    fn receive(&mut self, now: Instant, stats: &MediaStats) {
        let mut buf = [0u8; 1500];
        let mut keys: Vec<(char, DtmfVia)> = Vec::new();
        while let Ok((n, from)) = self.socket.recv_from(&mut buf) {
            // Media from anyone but the negotiated peer is ignored (a stray or spoofed
            // stream must not press keys), except while the peer's address is unknown.
            if self.params.remote.is_some_and(|r| r.ip() != from.ip()) {
                stats.packets_ignored.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let Ok(packet) = rtp::parse(&buf[..n]) else {
                stats.packets_ignored.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            stats.packets_received.fetch_add(1, Ordering::Relaxed);
            self.last_received = now;
            self.silence_reported = false;
            let pt = packet.header.payload_type;
            if Some(pt) == self.params.dtmf_payload_type {
                self.tones = None;
                if let Ok(ev) = TelephoneEvent::parse(packet.payload)
                    && let Some(k) = self.telephone_events.receive(packet.header.timestamp, ev)
                {
                    keys.push((k, DtmfVia::Rfc4733));
                }
            } else if pt == self.params.payload_type {
                if self.tones.is_none() && self.recorder.is_none() && self.ears.is_none() {
                    continue;
                }
                self.pcm.clear();
                self.params.law.decode(packet.payload, &mut self.pcm);
                if let Some(tones) = &mut self.tones {
                    keys.extend(
                        tones
                            .feed(&self.pcm)
                            .into_iter()
                            .map(|k| (k, DtmfVia::InBand)),
                    );
                }
                if let Some(r) = &mut self.recorder {
                    r.theirs(packet.header.ssrc, packet.header.timestamp, &self.pcm);
                }
                if self.ears.is_some() {
                    self.heard.extend_from_slice(&self.pcm);
                    self.hear();
                }
            } else {
                stats.packets_ignored.fetch_add(1, Ordering::Relaxed);
            }
        }
        for (k, via) in keys {
            self.key(k, via);
        }
        if self.params.receiving
            && !self.silence_reported
            && now.duration_since(self.last_received) > self.silence
        {
            self.silence_reported = true;
            let _ = self.events.send(MediaEvent::Silence);
        }
    }

    /// The caller's audio through the voice agent's ears, a 20 ms frame at a time. Speech
    /// over a prompt that allows barge-in stops it, as a key does.
    fn hear(&mut self) {
        let Some(ears) = &mut self.ears else {
            return;
        };
        let whole = self.heard.len() / FRAME * FRAME;
        let mut stop = false;
        let mut heard = Vec::new();
        ears.set_playing(self.playing);
        for frame in self.heard[..whole].chunks(FRAME) {
            match ears.hear(frame) {
                Some(Heard::Speaking { over_prompt }) => {
                    stop |= over_prompt && self.barge_in;
                    heard.push(MediaEvent::Speaking);
                }
                Some(Heard::Utterance {
                    pending,
                    stopped_at,
                }) => heard.push(MediaEvent::Utterance(Recognition {
                    pending: Arc::new(std::sync::Mutex::new(Some(pending))),
                    stopped_at,
                })),
                None => {}
            }
        }
        self.heard.drain(..whole);
        if stop && self.playing {
            crate::metrics::global().speech_barge_in();
            self.queue.clear();
            self.position = 0;
            self.playing = false;
            let _ = self.events.send(MediaEvent::PromptsDone);
        }
        for e in heard {
            let _ = self.events.send(e);
        }
    }

    /// Barge-in: a key during a prompt stops it when the prompt allows; otherwise the key is
    /// dropped, as the caller was asked to listen first.
    fn key(&mut self, key: char, via: DtmfVia) {
        if self.playing {
            if !self.barge_in {
                return;
            }
            self.queue.clear();
            self.position = 0;
            self.playing = false;
            let _ = self.events.send(MediaEvent::PromptsDone);
        }
        // The key's own tone may have started an utterance: it is not speech.
        if let Some(ears) = &mut self.ears {
            ears.interrupt();
        }
        let _ = self.events.send(MediaEvent::Key { key, via });
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::Play {
                clips, barge_in, ..
            } => {
                let any = clips.iter().any(|c| !c.is_empty());
                self.queue
                    .extend(clips.into_iter().filter(|c| !c.is_empty()));
                self.barge_in = barge_in;
                if any {
                    self.playing = true;
                } else if !self.playing {
                    // Nothing to say: the prompt is "done" at once, so the gather's timers start.
                    let _ = self.events.send(MediaEvent::PromptsDone);
                }
            }
            Command::Flush { .. } => {
                self.queue.clear();
                self.position = 0;
                self.playing = false;
            }
            Command::Update { params, .. } => {
                if params.receiving && !self.params.receiving {
                    self.last_received = Instant::now();
                }
                self.params = params;
            }
            Command::Key { key, via, .. } => self.key(key, via),
            Command::Listen { ears, .. } => self.ears = Some(ears),
            Command::Expect { expectation, .. } => {
                if let Some(ears) = &mut self.ears {
                    ears.expect(expectation);
                }
            }
            Command::Mask { on, .. } => {
                if let Some(r) = &mut self.recorder {
                    r.mask(on);
                }
            }
            Command::Add(_) | Command::Remove { .. } => {}
        }
    }
}

/// Ask the OS to run this thread ahead of ordinary work: a media thread must wake within a
/// few milliseconds of its slot even when the machine is busy. Real-time round-robin needs
/// CAP_SYS_NICE (or root); without it, a raised nice value is tried; without that, the thread
/// runs at normal priority, which is still correct, only later under load.
fn raise_priority() -> &'static str {
    #[cfg(target_os = "linux")]
    // SAFETY: plain syscalls on the calling thread with a valid, initialised parameter.
    unsafe {
        let param = libc::sched_param { sched_priority: 10 };
        if libc::sched_setscheduler(0, libc::SCHED_RR, &param) == 0 {
            return "real-time (SCHED_RR 10)";
        }
        if libc::setpriority(libc::PRIO_PROCESS, 0, -10) == 0 {
            return "nice -10";
        }
    }
    "normal"
}

fn worker(commands: mpsc::Receiver<Command>, stats: &'static MediaStats, first: Instant) {
    let priority = raise_priority();
    tracing::debug!(priority, "media thread started");
    let mut streams: Vec<Stream> = Vec::new();
    let mut slot = first;
    loop {
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        } else if now - slot > MAX_BEHIND {
            let skipped = ((now - slot).as_millis() / PTIME.as_millis()) as u64;
            stats
                .packets_late
                .fetch_add(skipped * streams.len() as u64, Ordering::Relaxed);
            slot += PTIME * skipped as u32;
        }
        loop {
            match commands.try_recv() {
                Ok(Command::Add(s)) => streams.push(*s),
                Ok(Command::Remove { id }) => {
                    if let Some(i) = streams.iter().position(|s| s.id == id) {
                        let mut gone = streams.swap_remove(i);
                        if let Some(r) = &mut gone.recorder {
                            r.finish();
                        }
                        stats.streams.fetch_sub(1, Ordering::Relaxed);
                    }
                }
                Ok(c) => {
                    let id = c.stream();
                    if let Some(s) = streams.iter_mut().find(|s| Some(s.id) == id) {
                        s.apply(c);
                    }
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => return,
            }
        }
        // Sends first, all of them, so their lateness does not include reading.
        for s in &mut streams {
            s.send(slot, stats);
        }
        let now = Instant::now();
        for s in &mut streams {
            s.receive(now, stats);
        }
        slot += PTIME;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> (Stream, tokio::sync::mpsc::UnboundedReceiver<MediaEvent>) {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let params = StreamParams {
            remote: None,
            law: Law::Ulaw,
            payload_type: 0,
            dtmf_payload_type: Some(101),
            sending: true,
            receiving: true,
        };
        (
            Stream::new(1, socket, params, tx, Duration::from_secs(30)),
            rx,
        )
    }

    fn play(s: &mut Stream, barge_in: bool) {
        let clip: Arc<[i16]> = vec![1000i16; FRAME * 10].into();
        s.apply(Command::Play {
            id: 1,
            clips: vec![clip],
            barge_in,
        });
    }

    fn events(rx: &mut tokio::sync::mpsc::UnboundedReceiver<MediaEvent>) -> Vec<MediaEvent> {
        std::iter::from_fn(|| rx.try_recv().ok()).collect()
    }

    #[test]
    fn a_key_during_a_prompt_stops_it_when_barge_in_is_allowed() {
        let (mut s, mut rx) = stream();
        play(&mut s, true);
        assert!(!s.next_frame());
        s.key('5', DtmfVia::Rfc4733);
        assert!(s.queue.is_empty(), "the prompt stopped");
        assert_eq!(
            events(&mut rx),
            [
                MediaEvent::PromptsDone,
                MediaEvent::Key {
                    key: '5',
                    via: DtmfVia::Rfc4733
                }
            ]
        );
    }

    #[test]
    fn a_key_during_a_prompt_that_may_not_be_interrupted_is_dropped() {
        let (mut s, mut rx) = stream();
        play(&mut s, false);
        s.key('5', DtmfVia::Info);
        assert!(events(&mut rx).is_empty());
        // The prompt plays to its end; then keys count.
        let mut frames = 0;
        while !s.next_frame() {
            frames += 1;
        }
        assert_eq!(frames, 9);
        assert_eq!(events(&mut rx), []);
        s.key('7', DtmfVia::InBand);
        assert_eq!(
            events(&mut rx),
            [MediaEvent::Key {
                key: '7',
                via: DtmfVia::InBand
            }]
        );
    }

    #[test]
    fn silence_is_reported_once_and_not_while_the_caller_holds() {
        let (mut s, mut rx) = stream();
        s.silence = Duration::from_millis(10);
        let later = Instant::now() + Duration::from_millis(50);
        s.receive(later, &STATS);
        s.receive(later, &STATS);
        assert_eq!(events(&mut rx), [MediaEvent::Silence]);
        let (mut held, mut rx) = stream();
        held.silence = Duration::from_millis(10);
        held.params.receiving = false;
        held.receive(Instant::now() + Duration::from_millis(50), &STATS);
        assert!(events(&mut rx).is_empty());
    }

    #[test]
    fn port_ranges_parse() {
        assert_eq!(
            PortRange::parse("10000-20000").unwrap(),
            PortRange {
                first: 10000,
                last: 20000
            }
        );
        assert_eq!(PortRange::parse("0").unwrap().first, 0);
        assert!(PortRange::parse("20000-10000").is_err());
        assert!(PortRange::parse("80-90").is_err());
        assert!(PortRange::parse("abc").is_err());
    }
}
