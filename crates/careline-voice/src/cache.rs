//! Rendered prompts kept in memory: pinned ones (warmed at start-up, the menu's static prompts)
//! stay for the life of the process; everything else is least-recently-used, bounded by its
//! total number of samples.
//!
//! Pinned prompts are few and known in advance (one menu file), so they are not counted against
//! the bound; an unbounded tier for them means a static prompt never has to be synthesised again
//! during a call, however many distinct dynamic texts (order numbers, dates) pass through.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// (language, text): what a rendering depends on once recordings are set aside.
pub type Key = (String, String);

pub struct Cache {
    pinned: HashMap<Key, Arc<[i16]>>,
    lru: HashMap<Key, (Arc<[i16]>, u64)>,
    /// Use stamp → key, oldest first.
    order: BTreeMap<u64, Key>,
    clock: u64,
    samples: usize,
    capacity: usize,
}

impl Cache {
    /// A cache whose least-recently-used tier holds at most `capacity` samples.
    pub fn new(capacity: usize) -> Cache {
        Cache {
            pinned: HashMap::new(),
            lru: HashMap::new(),
            order: BTreeMap::new(),
            clock: 0,
            samples: 0,
            capacity,
        }
    }

    pub fn get(&mut self, key: &Key) -> Option<Arc<[i16]>> {
        if let Some(pcm) = self.pinned.get(key) {
            return Some(pcm.clone());
        }
        self.clock += 1;
        let clock = self.clock;
        let (pcm, stamp) = self.lru.get_mut(key)?;
        self.order.remove(stamp);
        *stamp = clock;
        self.order.insert(clock, key.clone());
        Some(pcm.clone())
    }

    pub fn is_pinned(&self, key: &Key) -> bool {
        self.pinned.contains_key(key)
    }

    /// Keeps `pcm` for good; moves it out of the LRU tier if it was there.
    pub fn pin(&mut self, key: Key, pcm: Arc<[i16]>) {
        if let Some((old, stamp)) = self.lru.remove(&key) {
            self.order.remove(&stamp);
            self.samples -= old.len();
        }
        self.pinned.insert(key, pcm);
    }

    /// Keeps `pcm` until it is the least recently used and room is needed. Audio longer than
    /// the whole capacity is not kept at all.
    pub fn insert(&mut self, key: Key, pcm: Arc<[i16]>) {
        if self.pinned.contains_key(&key) || pcm.len() > self.capacity {
            return;
        }
        self.clock += 1;
        if let Some((old, stamp)) = self.lru.insert(key.clone(), (pcm.clone(), self.clock)) {
            self.order.remove(&stamp);
            self.samples -= old.len();
        }
        self.order.insert(self.clock, key);
        self.samples += pcm.len();
        while self.samples > self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some((old, _)) = self.lru.remove(&oldest) {
                self.samples -= old.len();
            }
        }
    }

    /// Samples held in the least-recently-used tier.
    pub fn lru_samples(&self) -> usize {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        ("en".to_string(), s.to_string())
    }

    fn pcm(n: usize) -> Arc<[i16]> {
        vec![1i16; n].into()
    }

    #[test]
    fn evicts_the_least_recently_used_by_total_samples() {
        let mut c = Cache::new(100);
        c.insert(key("a"), pcm(40));
        c.insert(key("b"), pcm(40));
        assert!(c.get(&key("a")).is_some()); // a is now newer than b
        c.insert(key("c"), pcm(40));
        assert!(c.get(&key("b")).is_none());
        assert!(c.get(&key("a")).is_some());
        assert!(c.get(&key("c")).is_some());
        assert_eq!(c.lru_samples(), 80);
        c.insert(key("huge"), pcm(101));
        assert!(c.get(&key("huge")).is_none());
    }

    #[test]
    fn pinned_entries_are_never_evicted() {
        let mut c = Cache::new(50);
        c.insert(key("p"), pcm(40));
        c.pin(key("p"), pcm(40));
        assert_eq!(c.lru_samples(), 0);
        for i in 0..10 {
            c.insert(key(&i.to_string()), pcm(30));
        }
        assert!(c.get(&key("p")).is_some());
        assert!(c.lru_samples() <= 50);
    }
}
