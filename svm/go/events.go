package svm

/*
#include "svm.h"
*/
import "C"

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"runtime"
	"unsafe"
)

// Topic is one of an event's topics: 32 bytes a query matches exactly.
type Topic [32]byte

// String is the topic as lowercase hex.
func (t Topic) String() string { return hex.EncodeToString(t[:]) }

// Event is a structured event a contract emitted, as a receipt carries it and the event store keeps it.
type Event struct {
	// Contract is the contract that emitted it.
	Contract Address
	// Topics are its topics, in the order emitted (at most 4).
	Topics []Topic
	// Data is its payload (at most 512 bytes).
	Data []byte
	// Expires is the last layer it is live in.
	Expires uint64
}

// EventID is where a live event sits: the layer it was emitted in and its position among that layer's events.
type EventID struct {
	Layer uint64
	Seq   uint32
}

// StoredEvent is a live event and its id.
type StoredEvent struct {
	ID    EventID
	Event Event
}

// QueryEvents lists the live events of contract — only those with topic (at any position) unless topic
// is nil — emitted in layers fromLayer..toLayer (both included), at most limit, in id order, in the
// runtime's state (a past layer's for a runtime from OpenLayer). A limit of 0 or fromLayer > toLayer
// lists nothing.
func (r *Runtime) QueryEvents(contract Address, topic *Topic, fromLayer, toLayer uint64, limit uint32) ([]StoredEvent, error) {
	raw, err := r.queryEventsRaw(contract, topic, fromLayer, toLayer, limit)
	if err != nil {
		return nil, err
	}
	return decodeEvents(raw)
}

// queryEventsRaw is svm_events_query's answer as the library wrote it.
func (r *Runtime) queryEventsRaw(contract Address, topic *Topic, fromLayer, toLayer uint64, limit uint32) ([]byte, error) {
	var topicPtr *C.uint8_t
	if topic != nil {
		topicPtr = (*C.uint8_t)(unsafe.Pointer(&topic[0]))
	}
	var out, message C.SvmBuffer
	rc := C.svm_events_query(r.handle, (*C.uint8_t)(unsafe.Pointer(&contract[0])), topicPtr,
		C.uint64_t(fromLayer), C.uint64_t(toLayer), C.uint32_t(limit), &out, &message)
	runtime.KeepAlive(r)
	if err := status(rc, message); err != nil {
		return nil, err
	}
	return take(out), nil
}

// decodeEvents reads svm_events_query's answer: u32le count, then per event u64le layer ‖ u32le seq ‖
// enc(Event), and nothing after.
func decodeEvents(raw []byte) ([]StoredEvent, error) {
	d := decoder{bytes: raw}
	count := d.u32()
	var events []StoredEvent
	for i := uint32(0); i < count && d.err == nil; i++ {
		var e StoredEvent
		e.ID.Layer = d.u64()
		e.ID.Seq = d.u32()
		e.Event = d.event()
		events = append(events, e)
	}
	if d.err == nil && len(d.bytes) != 0 {
		d.err = fmt.Errorf("%d bytes after the last event", len(d.bytes))
	}
	if d.err != nil {
		return nil, fmt.Errorf("svm: event list: %w", d.err)
	}
	return events, nil
}

// decoder reads little-endian fields off the front of bytes; the first shortfall sticks in err.
type decoder struct {
	bytes []byte
	err   error
}

func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.bytes) < n {
		d.err = fmt.Errorf("%s: want %d bytes, %d left", what, n, len(d.bytes))
		return nil
	}
	out := d.bytes[:n]
	d.bytes = d.bytes[n:]
	return out
}

func (d *decoder) u32() uint32 {
	if b := d.take(4, "u32"); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.take(8, "u64"); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// event reads enc(Event): contract ‖ u8 topic_count ‖ topics ‖ u32le data_len ‖ data ‖ u64le expires.
func (d *decoder) event() Event {
	var e Event
	copy(e.Contract[:], d.take(len(e.Contract), "event contract"))
	var count int
	if b := d.take(1, "event topic count"); b != nil {
		count = int(b[0])
	}
	if count > 4 && d.err == nil {
		d.err = fmt.Errorf("an event with %d topics", count)
	}
	for i := 0; i < count && d.err == nil; i++ {
		var t Topic
		copy(t[:], d.take(len(t), "event topic"))
		e.Topics = append(e.Topics, t)
	}
	length := d.u32()
	if length > 512 && d.err == nil {
		d.err = fmt.Errorf("an event with %d bytes of data", length)
	}
	if b := d.take(int(length), "event data"); b != nil {
		e.Data = append([]byte{}, b...)
	}
	e.Expires = d.u64()
	return e
}
