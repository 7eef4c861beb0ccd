//! Call recordings: a SIP call's audio, stored as it is made in chunks of a few seconds, each
//! sealed under the PHI key and bound to its call and place, and deleted when the practice's
//! retention runs out.
//!
//! A chunk's audio is 8 kHz G.711 µ-law, two channels interleaved: the caller, then CareLine.

use crate::entity::call_recording;
use crate::{Store, StoreError, stored_time};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

/// Samples per second of each channel.
pub const SAMPLE_RATE: u32 = 8000;
/// Channels, interleaved: the caller first, then what CareLine played.
pub const CHANNELS: u16 = 2;

/// The associated data a chunk is sealed with: a chunk decrypts only as the chunk it was, of
/// the call it was, so rows cannot be swapped between calls or reordered unnoticed.
fn field(call_id: &str, seq: i32) -> String {
    format!("call_recordings.audio:{call_id}:{seq}")
}

/// A piece of a recording as the media thread hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChunk {
    pub seq: i32,
    /// Where the chunk starts, from when the call was answered.
    pub offset_ms: i64,
    pub duration_ms: i64,
    /// Interleaved µ-law, caller then CareLine.
    pub audio: Vec<u8>,
}

/// A recording's extent, without its audio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RecordingInfo {
    pub chunks: u64,
    pub duration_ms: i64,
    /// When the recording is deleted (the practice's retention from the call's start).
    pub expires_at: DateTime<Utc>,
}

/// Store one chunk. Writing the same chunk twice (a retry after a lost answer) keeps one copy.
pub async fn add_chunk(
    store: &Store,
    call_id: &str,
    chunk: &NewChunk,
    expires_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    add_chunks(store, &[(call_id, expires_at, chunk)], at).await
}

/// Store chunks of any calls in one transaction (one commit, one fsync, however many).
/// Chunks already stored are left as they are.
pub async fn add_chunks(
    store: &Store,
    chunks: &[(&str, DateTime<Utc>, &NewChunk)],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if chunks.is_empty() {
        return Ok(());
    }
    let t = stored_time(at);
    let rows: Vec<call_recording::ActiveModel> = chunks
        .iter()
        .map(|(call_id, expires_at, chunk)| call_recording::ActiveModel {
            call_id: Set(call_id.to_string()),
            seq: Set(chunk.seq),
            offset_ms: Set(chunk.offset_ms),
            duration_ms: Set(chunk.duration_ms),
            audio_enc: Set(store
                .keys()
                .encrypt(&field(call_id, chunk.seq), &chunk.audio)),
            created_at: Set(t),
            expires_at: Set(*expires_at),
        })
        .collect();
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = call_recording::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([call_recording::Column::CallId, call_recording::Column::Seq])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await;
    match res {
        Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => {
            txn.commit().await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes the chunks of every recorded call, many to a transaction: one task for the process,
/// so a thousand recorded calls cost a few commits a second, not two hundred. Each chunk's
/// caller learns whether it was stored.
#[derive(Clone)]
pub struct ChunkWriter {
    tx: mpsc::Sender<PendingChunk>,
}

type PendingChunk = (String, DateTime<Utc>, NewChunk, oneshot::Sender<bool>);

/// Chunks in one transaction at most (5 s each: about 5 MB of audio).
const MAX_BATCH: usize = 64;

impl ChunkWriter {
    pub fn spawn(store: Store) -> ChunkWriter {
        let (tx, mut rx) = mpsc::channel::<PendingChunk>(16 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<PendingChunk> = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let rows: Vec<(&str, DateTime<Utc>, &NewChunk)> = batch
                    .iter()
                    .map(|(call, expires, chunk, _)| (call.as_str(), *expires, chunk))
                    .collect();
                let mut stored = false;
                // The writer is a unit of work of its own: a batch is stamped when written.
                let at = chrono::Utc::now();
                for attempt in 1..=3u32 {
                    match add_chunks(&store, &rows, at).await {
                        Ok(()) => {
                            stored = true;
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(attempt, chunks = rows.len(), error = %e, "cannot store call recording pieces");
                            tokio::time::sleep(std::time::Duration::from_millis(
                                250 * u64::from(attempt),
                            ))
                            .await;
                        }
                    }
                }
                for (_, _, _, ack) in batch.drain(..) {
                    let _ = ack.send(stored);
                }
            }
        });
        ChunkWriter { tx }
    }

    /// Store a chunk; true once it is committed, false when it could not be.
    pub async fn write(&self, call_id: &str, expires_at: DateTime<Utc>, chunk: NewChunk) -> bool {
        let (ack, stored) = oneshot::channel();
        if self
            .tx
            .send((call_id.to_string(), expires_at, chunk, ack))
            .await
            .is_err()
        {
            return false;
        }
        stored.await.unwrap_or(false)
    }
}

/// The recording's extent, or `None` when the call was not recorded (or it was deleted).
pub async fn info(store: &Store, call_id: &str) -> Result<Option<RecordingInfo>, StoreError> {
    let rows: Vec<(i64, DateTime<Utc>)> = call_recording::Entity::find()
        .select_only()
        .column(call_recording::Column::DurationMs)
        .column(call_recording::Column::ExpiresAt)
        .filter(call_recording::Column::CallId.eq(call_id))
        .into_tuple()
        .all(store.db())
        .await?;
    let Some(expires_at) = rows.iter().map(|r| r.1).min() else {
        return Ok(None);
    };
    Ok(Some(RecordingInfo {
        chunks: rows.len() as u64,
        duration_ms: rows.iter().map(|r| r.0).sum(),
        expires_at,
    }))
}

/// Bytes of interleaved µ-law per millisecond: 8 samples of each of the two channels. The
/// recorder cuts chunks on its own side's 20 ms frames, so a chunk's audio is exactly
/// `duration_ms * BYTES_PER_MS` bytes (its tests check this).
pub const BYTES_PER_MS: u64 = (SAMPLE_RATE / 1000) as u64 * CHANNELS as u64;

/// Where one chunk's audio lies in the whole recording, in bytes of interleaved µ-law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSpan {
    pub seq: i32,
    pub start: u64,
    pub len: u64,
}

/// A recording laid out from its chunks' offsets and durations alone, so its length and
/// where any byte of it comes from are known without unsealing any audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// In order, not overlapping; the bytes between two spans are silence.
    pub spans: Vec<ChunkSpan>,
    /// The whole recording's length in bytes of interleaved µ-law.
    pub len: u64,
}

impl Layout {
    /// Lay out chunks given as (seq, offset_ms, duration_ms) in seq order. A chunk covers
    /// `duration_ms` from its offset; a gap (a chunk lost in a crash) is silence, so the two
    /// sides and the clock stay aligned; a chunk that would run into the next is cut where the
    /// next begins (the next chunk's audio wins, as it always did).
    pub fn of(chunks: impl IntoIterator<Item = (i32, i64, i64)>) -> Layout {
        let mut spans: Vec<ChunkSpan> = Vec::new();
        for (seq, offset_ms, duration_ms) in chunks {
            let mut start = offset_ms.max(0) as u64 * BYTES_PER_MS;
            if let Some(prev) = spans.last_mut() {
                start = start.max(prev.start);
                prev.len = prev.len.min(start - prev.start);
            }
            spans.push(ChunkSpan {
                seq,
                start,
                len: duration_ms.max(0) as u64 * BYTES_PER_MS,
            });
        }
        let len = spans.last().map_or(0, |s| s.start + s.len);
        Layout { spans, len }
    }
}

/// The recording's layout, or `None` when the call was not recorded (or it was deleted).
/// Reads the chunks' offsets and durations, not their audio.
pub async fn layout(store: &Store, call_id: &str) -> Result<Option<Layout>, StoreError> {
    let rows: Vec<(i32, i64, i64)> = call_recording::Entity::find()
        .select_only()
        .column(call_recording::Column::Seq)
        .column(call_recording::Column::OffsetMs)
        .column(call_recording::Column::DurationMs)
        .filter(call_recording::Column::CallId.eq(call_id))
        .order_by_asc(call_recording::Column::Seq)
        .into_tuple()
        .all(store.db())
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(Layout::of(rows)))
}

/// One chunk's audio, unsealed and fitted to its span in the layout (cut, or filled with
/// silence). `None` when the chunk is gone (the recording was deleted meanwhile).
pub async fn chunk_audio(
    store: &Store,
    call_id: &str,
    span: &ChunkSpan,
) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(r) = call_recording::Entity::find_by_id((call_id.to_string(), span.seq))
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let audio = store
        .keys()
        .decrypt(&field(&r.call_id, r.seq), &r.audio_enc)?;
    Ok(Some(fit(audio, span.len)))
}

fn fit(mut audio: Vec<u8>, len: u64) -> Vec<u8> {
    audio.resize(len as usize, MULAW_SILENCE);
    audio
}

/// The whole recording in order, unsealed: interleaved µ-law, caller then CareLine, laid out
/// as `Layout::of` says (the same bytes the recording route streams piece by piece).
pub async fn audio(store: &Store, call_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let rows = call_recording::Entity::find()
        .filter(call_recording::Column::CallId.eq(call_id))
        .order_by_asc(call_recording::Column::Seq)
        .all(store.db())
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let layout = Layout::of(rows.iter().map(|r| (r.seq, r.offset_ms, r.duration_ms)));
    let mut out = vec![MULAW_SILENCE; layout.len as usize];
    for (r, span) in rows.iter().zip(&layout.spans) {
        let audio = store
            .keys()
            .decrypt(&field(&r.call_id, r.seq), &r.audio_enc)?;
        let start = span.start as usize;
        out[start..start + span.len as usize].copy_from_slice(&fit(audio, span.len));
    }
    Ok(Some(out))
}

/// µ-law silence (the encoding of 0).
const MULAW_SILENCE: u8 = 0xFF;

/// Delete recordings whose retention ran out. Returns how many chunks went and of how many
/// calls, for the audit record.
pub async fn purge_expired(store: &Store, at: DateTime<Utc>) -> Result<(u64, u64), StoreError> {
    let expired = call_recording::Column::ExpiresAt.lte(at);
    let calls = call_recording::Entity::find()
        .select_only()
        .column(call_recording::Column::CallId)
        .filter(expired.clone())
        .distinct()
        .count(store.db())
        .await?;
    if calls == 0 {
        return Ok((0, 0));
    }
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = call_recording::Entity::delete_many()
        .filter(expired)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok((res.rows_affected, calls))
}

/// Delete one call's recording (a patient's request, a recording made by mistake).
pub async fn delete(store: &Store, call_id: &str) -> Result<u64, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = call_recording::Entity::delete_many()
        .filter(call_recording::Column::CallId.eq(call_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(res.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(seq: i32, start_ms: u64, len_ms: u64) -> ChunkSpan {
        ChunkSpan {
            seq,
            start: start_ms * BYTES_PER_MS,
            len: len_ms * BYTES_PER_MS,
        }
    }

    #[test]
    fn chunks_are_laid_out_from_offsets_and_durations() {
        let l = Layout::of([(0, 0, 5000), (1, 5000, 5000), (2, 10_000, 1200)]);
        assert_eq!(
            l.spans,
            [span(0, 0, 5000), span(1, 5000, 5000), span(2, 10_000, 1200)]
        );
        assert_eq!(l.len, 11_200 * BYTES_PER_MS);
        // A lost chunk leaves a gap of silence; the rest stays in place.
        let l = Layout::of([(0, 0, 5000), (2, 10_000, 1000)]);
        assert_eq!(l.spans, [span(0, 0, 5000), span(2, 10_000, 1000)]);
        assert_eq!(l.len, 11_000 * BYTES_PER_MS);
        // A chunk that runs into the next is cut where the next begins.
        let l = Layout::of([(0, 0, 6000), (1, 5000, 5000)]);
        assert_eq!(l.spans, [span(0, 0, 5000), span(1, 5000, 5000)]);
        // Offsets that go backwards never make spans overlap or go out of order.
        let l = Layout::of([(0, 5000, 5000), (1, 0, 1000)]);
        assert_eq!(l.spans, [span(0, 5000, 0), span(1, 5000, 1000)]);
        assert_eq!(Layout::of([]).len, 0);
    }
}
