package svm

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// emitterContract is the `emitter` of the pinned conformance vector events/expire, compiled as the
// vector's stream header carries it, with its layout: emit(topics, len, expiry) emits up to two topics
// (emitterTopic(0), emitterTopic(1)) and up to 7 bytes of "payload", live for expiry layers more.
func emitterContract(t testing.TB) ([]byte, uint32, []Slice) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(corpusDir, "conformance", "events.expire.json"))
	must(t, err)
	var vector struct {
		Sources map[string]string `json:"sources"`
		Stream  struct {
			Header streamHeader `json:"header"`
		} `json:"stream"`
	}
	must(t, json.Unmarshal(text, &vector))
	pages, slices := layoutOf(t, "emitter", vector.Sources["emitter"])
	for _, c := range vector.Stream.Header.Contracts {
		if c.Name == "emitter" {
			code, err := hex.DecodeString(c.Wasm)
			must(t, err)
			return code, pages, slices
		}
	}
	t.Fatal("events/expire carries no emitter")
	return nil, 0, nil
}

// emitterTopic is the emitter's topic n: "topic-one" or "topic-two", padded with dots to 32 bytes.
func emitterTopic(n int) Topic {
	var topic Topic
	copy(topic[:], bytes.Repeat([]byte{'.'}, 32))
	copy(topic[:], []string{"topic-one", "topic-two"}[n])
	return topic
}

// deployEmitter deploys the emitter (author's nonce `nonce`) in the open layer.
func deployEmitter(t testing.TB, rt *Runtime, nonce uint64) Address {
	t.Helper()
	code, pages, slices := emitterContract(t)
	tx, err := Deploy{Author: author, Nonce: nonce, Code: code, PageCount: pages, Slices: slices, GasLimit: 10_000_000, GasPrice: 1}.Encode()
	must(t, err)
	receipt, err := rt.Apply(tx)
	must(t, err)
	if !receipt.Outcome.IsSuccess() || receipt.Contract == nil {
		t.Fatalf("deploy of the emitter: %s %s", receipt.Outcome, receipt.Diagnostic)
	}
	return *receipt.Contract
}

// emit calls emitter.emit(topics, length, expiry) as user with `nonce` in the open layer.
func emit(t testing.TB, rt *Runtime, emitter Address, topics, length, expiry int64, nonce uint64) *Receipt {
	t.Helper()
	args := []Value{{Type: I32, Int: topics}, {Type: I32, Int: length}, {Type: I32, Int: expiry}}
	tx, err := Execute{Contract: emitter, Sender: user, Nonce: nonce, Function: "emit", Args: args, GasLimit: 1_000_000, GasPrice: 1}.Encode()
	must(t, err)
	receipt, err := rt.Apply(tx)
	must(t, err)
	return receipt
}

// ids are the ids of events (an empty list for none).
func ids(events []StoredEvent) []EventID {
	out := []EventID{}
	for _, e := range events {
		out = append(out, e.ID)
	}
	return out
}

func query(t testing.TB, rt *Runtime, contract Address, topic *Topic, from, to uint64, limit uint32) []EventID {
	t.Helper()
	events, err := rt.QueryEvents(contract, topic, from, to, limit)
	must(t, err)
	return ids(events)
}

func wantIDs(t testing.TB, what string, got []EventID, want ...EventID) {
	t.Helper()
	if want == nil {
		want = []EventID{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func TestEventsAreQueriedByContractTopicAndLayersAsTheReceiptsCarriedThem(t *testing.T) {
	rt, err := NewMemory(Singlepass)
	must(t, err)
	defer rt.Close()
	must(t, rt.Genesis([]Allocation{{author, 1 << 40}, {user, 1 << 40}}))
	must(t, rt.BeginLayer(1))
	emitter := deployEmitter(t, rt, 0)
	_, err = rt.CommitLayer()
	must(t, err)
	must(t, rt.BeginLayer(2))
	receipts := []*Receipt{emit(t, rt, emitter, 0, 0, 5, 0), emit(t, rt, emitter, 2, 7, 5, 1)}
	_, err = rt.CommitLayer()
	must(t, err)
	must(t, rt.BeginLayer(3))
	receipts = append(receipts, emit(t, rt, emitter, 1, 3, 5, 2))

	all, err := rt.QueryEvents(emitter, nil, 0, math.MaxUint64, math.MaxUint32)
	must(t, err)
	wantIDs(t, "every event", ids(all), EventID{2, 0}, EventID{2, 1}, EventID{3, 0})
	want := Event{Contract: emitter, Topics: []Topic{emitterTopic(0), emitterTopic(1)}, Data: []byte("payload"), Expires: 7}
	if !reflect.DeepEqual(all[1].Event, want) {
		t.Fatalf("event (2, 1): %+v, want %+v", all[1].Event, want)
	}
	for i, receipt := range receipts {
		if !receipt.Outcome.IsSuccess() || len(receipt.Events) != 1 || !reflect.DeepEqual(receipt.Events[0], all[i].Event) {
			t.Fatalf("receipt %d carries %+v; the store holds %+v", i, receipt.Events, all[i].Event)
		}
	}
	one, two, none := emitterTopic(0), emitterTopic(1), Topic{}
	wantIDs(t, "topic-two", query(t, rt, emitter, &two, 0, math.MaxUint64, 10), EventID{2, 1})
	wantIDs(t, "topic-one", query(t, rt, emitter, &one, 0, math.MaxUint64, 10), EventID{2, 1}, EventID{3, 0})
	wantIDs(t, "an unused topic", query(t, rt, emitter, &none, 0, math.MaxUint64, 10))
	wantIDs(t, "layer 3", query(t, rt, emitter, nil, 3, 3, 10), EventID{3, 0})
	wantIDs(t, "layers 0..2", query(t, rt, emitter, nil, 0, 2, 10), EventID{2, 0}, EventID{2, 1})
	wantIDs(t, "limit 1", query(t, rt, emitter, nil, 0, math.MaxUint64, 1), EventID{2, 0})
	wantIDs(t, "limit 0", query(t, rt, emitter, nil, 0, math.MaxUint64, 0))
	wantIDs(t, "from after to", query(t, rt, emitter, nil, 3, 2, 10))
	wantIDs(t, "another address", query(t, rt, user, nil, 0, math.MaxUint64, 10))

	failed := emit(t, rt, emitter, 5, 0, 0, 3)
	if failed.Outcome.Name != "host:event-topics" || len(failed.Events) != 0 {
		t.Fatalf("five topics: %s with %d events", failed.Outcome, len(failed.Events))
	}
	wantIDs(t, "after a failed emit", query(t, rt, emitter, nil, 0, math.MaxUint64, 10), ids(all)...)
}

func TestExpiredEventsArePrunedWhenALaterLayerBegins(t *testing.T) {
	rt, emitter := withEmitter(t)
	defer rt.Close()
	must(t, rt.BeginLayer(2))
	emit(t, rt, emitter, 0, 0, 0, 0) // live in layer 2 only
	emit(t, rt, emitter, 1, 2, 1, 1) // live through layer 3
	wantIDs(t, "layer 2", query(t, rt, emitter, nil, 0, math.MaxUint64, 10), EventID{2, 0}, EventID{2, 1})
	layer2, err := rt.CommitLayer()
	must(t, err)
	must(t, rt.BeginLayer(3))
	wantIDs(t, "layer 3 began", query(t, rt, emitter, nil, 0, math.MaxUint64, 10), EventID{2, 1})
	if root, _ := rt.StateRoot(); root == layer2.Root {
		t.Fatal("pruning left the state root where it was: the event store is under it")
	}
	_, err = rt.CommitLayer()
	must(t, err)
	must(t, rt.BeginLayer(4))
	// A transaction of layer 4 passes the same boundary again: nothing more to prune, nothing back.
	if receipt, err := rt.Apply(inc(t, emitter, 2)); err != nil || receipt.Outcome.IsSuccess() {
		t.Fatalf("the emitter has no inc: %v %v", receipt, err)
	}
	wantIDs(t, "layer 4", query(t, rt, emitter, nil, 0, math.MaxUint64, 10))
}

// withEmitter is a memory runtime after genesis with the emitter deployed in layer 1 (committed).
func withEmitter(t testing.TB) (*Runtime, Address) {
	t.Helper()
	rt, err := NewMemory(Singlepass)
	must(t, err)
	must(t, rt.Genesis([]Allocation{{author, 1 << 40}, {user, 1 << 40}}))
	must(t, rt.BeginLayer(1))
	emitter := deployEmitter(t, rt, 0)
	_, err = rt.CommitLayer()
	must(t, err)
	return rt, emitter
}

func TestAPersistentStoreAndAPastLayerAnswerForTheirOwnState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.redb")
	rt, err := Open(path, Singlepass)
	must(t, err)
	must(t, rt.Genesis([]Allocation{{author, 1 << 40}, {user, 1 << 40}}))
	must(t, rt.BeginLayer(1))
	emitter := deployEmitter(t, rt, 0)
	_, err = rt.CommitLayer()
	must(t, err)
	must(t, rt.BeginLayer(2))
	emit(t, rt, emitter, 1, 7, 0, 0)
	emit(t, rt, emitter, 2, 7, 1024, 1)
	_, err = rt.CommitLayer()
	must(t, err)
	must(t, rt.BeginLayer(3))
	emit(t, rt, emitter, 0, 0, 1024, 2)
	_, err = rt.CommitLayer()
	must(t, err)
	must(t, rt.Close())

	rt, err = Open(path, Singlepass)
	must(t, err)
	defer rt.Close()
	wantIDs(t, "reopened at layer 3", query(t, rt, emitter, nil, 0, math.MaxUint64, 10), EventID{2, 1}, EventID{3, 0})
	past, err := rt.OpenLayer(2)
	must(t, err)
	wantIDs(t, "layer 2's state", query(t, past, emitter, nil, 0, math.MaxUint64, 10), EventID{2, 0}, EventID{2, 1})
	two := emitterTopic(1)
	wantIDs(t, "layer 2, topic-two", query(t, past, emitter, &two, 0, math.MaxUint64, 10), EventID{2, 1})
	must(t, past.Close())
	if _, err := past.QueryEvents(emitter, nil, 0, 9, 10); CodeOf(err) != CodeHandle {
		t.Fatalf("a query through a closed runtime: %v", err)
	}
}

func TestTheEventListIsTheDocumentedFormatAndACutOrLongOneIsRefused(t *testing.T) {
	rt, emitter := withEmitter(t)
	defer rt.Close()
	must(t, rt.BeginLayer(2))
	emit(t, rt, emitter, 2, 7, 3, 0)
	emit(t, rt, emitter, 0, 0, 0, 1)
	raw, err := rt.queryEventsRaw(emitter, nil, 0, 9, 10)
	must(t, err)
	events, err := decodeEvents(raw)
	must(t, err)
	want := []Event{
		{Contract: emitter, Topics: []Topic{emitterTopic(0), emitterTopic(1)}, Data: []byte("payload"), Expires: 5},
		{Contract: emitter, Data: []byte{}, Expires: 2},
	}
	if len(events) != 2 || !reflect.DeepEqual([]Event{events[0].Event, events[1].Event}, want) {
		t.Fatalf("decoded %+v", events)
	}
	// The library's bytes are the documented format, field for field.
	if !bytes.Equal(encodeEvents(events), raw) {
		t.Fatalf("the library wrote %x; the documented format of what it decodes to is %x", raw, encodeEvents(events))
	}
	for n := 0; n < len(raw); n++ {
		if _, err := decodeEvents(raw[:n]); err == nil {
			t.Fatalf("%d of %d bytes decoded", n, len(raw))
		}
	}
	if _, err := decodeEvents(append(raw, 0)); err == nil {
		t.Fatal("a trailing byte was accepted")
	}
}

// encodeEvents is the answer format of svm_events_query, written out from the documentation.
func encodeEvents(events []StoredEvent) []byte {
	var out []byte
	le := func(v uint64, n int) {
		for i := 0; i < n; i++ {
			out = append(out, byte(v>>(8*i)))
		}
	}
	le(uint64(len(events)), 4)
	for _, e := range events {
		le(e.ID.Layer, 8)
		le(uint64(e.ID.Seq), 4)
		out = append(out, e.Event.Contract[:]...)
		out = append(out, byte(len(e.Event.Topics)))
		for _, topic := range e.Event.Topics {
			out = append(out, topic[:]...)
		}
		le(uint64(len(e.Event.Data)), 4)
		out = append(out, e.Event.Data...)
		le(e.Event.Expires, 8)
	}
	return out
}
