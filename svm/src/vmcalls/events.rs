//! The event vmcall: `event_emit` (`docs/consensus.md`, Events).

use super::HostError;
use super::env::{ExecutionEnv, Fault, VmcallTrap, run};
use super::registry::VmcallSpec;
use svm_core::event::{self, Event, MAX_EVENT_DATA_BYTES, MAX_EVENT_EXPIRY, MAX_EVENT_TOPICS, MAX_EVENTS, TOPIC_LEN};
use wasmer::FunctionEnvMut;

/// `event_emit(topics_ptr, topic_count, data_ptr, data_len, expiry)`.
pub fn emit(
    e: &mut FunctionEnvMut<'_, ExecutionEnv>,
    spec: &'static VmcallSpec,
    topics_ptr: i32,
    topic_count: i32,
    data_ptr: i32,
    data_len: i32,
    expiry: i32,
) -> Result<(), VmcallTrap> {
    let args = [topics_ptr as u32, topic_count as u32, data_ptr as u32, data_len as u32, expiry as u32];
    let [topics_ptr, topic_count, data_ptr, data_len, expiry] = args;
    run(e, spec, &args.map(i64::from), data_len.into(), |env, store| {
        if env.events_so_far() >= MAX_EVENTS as usize {
            return Err(Fault::host(HostError::TooManyEvents, format!("at most {MAX_EVENTS} events")));
        }
        if topic_count > MAX_EVENT_TOPICS {
            return Err(Fault::host(
                HostError::EventTopics,
                format!("{topic_count} topics; at most {MAX_EVENT_TOPICS}"),
            ));
        }
        if data_len > MAX_EVENT_DATA_BYTES {
            return Err(Fault::host(
                HostError::EventTooLarge,
                format!("{data_len} bytes; at most {MAX_EVENT_DATA_BYTES}"),
            ));
        }
        if expiry > MAX_EVENT_EXPIRY {
            return Err(Fault::host(HostError::EventExpiry, format!("{expiry} layers; at most {MAX_EVENT_EXPIRY}")));
        }
        let topic_bytes = env.read_memory(store, topics_ptr, topic_count * TOPIC_LEN as u32)?;
        let data = env.read_memory(store, data_ptr, data_len)?;
        let topics: Vec<_> =
            topic_bytes.chunks_exact(TOPIC_LEN).map(|t| t.try_into().unwrap_or([0; TOPIC_LEN])).collect();
        let event = Event {
            contract: env.context.contract,
            topics,
            data,
            expires: env.context.layer.saturating_add(expiry.into()),
        };
        let distinct = event.distinct_topics().len() as u32;
        env.charge(store, event::retention_gas(distinct, data_len, expiry))?;
        env.note(&event.to_bytes());
        env.events.push(event);
        Ok(())
    })
}
