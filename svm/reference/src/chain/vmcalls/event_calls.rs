//! The event vmcall `event_emit`, from `docs/consensus.md` (Events). The price `200 + 2 × data_len` is
//! already paid ([`super::price`]); the checks run in the documented order — too many events, topics,
//! data length, expiry, topics memory, data memory — then the retention gas, and only then is the event
//! appended to the execution's events.

use super::{Args, ExecutionContext, memory_range, refuse};
use crate::host::{Meter, Stop};
use std::collections::BTreeSet;
use svm_core::Value;
use svm_core::event::{
    Event, MAX_EVENT_DATA_BYTES, MAX_EVENT_EXPIRY, MAX_EVENT_TOPICS, MAX_EVENTS, TOPIC_LEN, Topic, retention_gas,
};
use svm_core::vmcalls::HostError;

impl ExecutionContext<'_> {
    /// `event_emit(topics_ptr, topic_count, data_ptr, data_len, expiry)` (its price paid).
    pub(super) fn event_emit(
        &mut self,
        a: &Args<'_>,
        mut memory: Option<&mut Vec<u8>>,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        let (topics_ptr, topic_count, data_ptr, data_len, expiry) = (a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4));
        // 1–4: the limits, before any memory is touched (the events count the whole chain of frames).
        if self.events_before + self.events.len() >= MAX_EVENTS as usize {
            return refuse(HostError::TooManyEvents);
        }
        if topic_count > MAX_EVENT_TOPICS {
            return refuse(HostError::EventTopics);
        }
        if data_len > MAX_EVENT_DATA_BYTES {
            return refuse(HostError::EventTooLarge);
        }
        if expiry > MAX_EVENT_EXPIRY {
            return refuse(HostError::EventExpiry);
        }
        // 5–6: the topics' memory, then the data's.
        let topic_bytes =
            memory_range(memory.as_deref_mut(), topics_ptr, u64::from(topic_count) * TOPIC_LEN as u64)?.to_vec();
        let data = memory_range(memory, data_ptr, data_len.into())?.to_vec();
        let topics = topic_bytes
            .chunks_exact(TOPIC_LEN)
            .map(|chunk| Topic::try_from(chunk).map_err(|_| Stop::Fault("a topic is 32 bytes".into())))
            .collect::<Result<Vec<Topic>, Stop>>()?;
        // 7: retention gas, by the number of distinct topics.
        let distinct = topics.iter().collect::<BTreeSet<_>>().len() as u32;
        meter.charge(retention_gas(distinct, data_len, expiry))?;
        // 8: the event.
        let expires = self.env.layer.saturating_add(expiry.into());
        self.events.push(Event { contract: self.env.contract, topics, data, expires });
        Ok(Vec::new())
    }
}
