package svm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golden is a stream's pin file: per transaction [root, receipt hash, gas, outcome].
type golden struct {
	Format           string   `json:"format"`
	ConsensusVersion uint32   `json:"consensus_version"`
	StreamHash       string   `json:"stream_hash"`
	Txs              [][4]any `json:"txs"`
}

// replay runs stream `path` through rt from genesis, layer by layer as a node would, and checks every
// pinned root, receipt hash, gas and outcome: the number of transactions checked, or the first
// mismatch with the pins as an error.
func replay(t *testing.T, rt *Runtime, path string) (int, error) {
	s := readStream(t, path)
	text, err := os.ReadFile(strings.TrimSuffix(path, ".jsonl") + ".golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var pins golden
	if err := json.Unmarshal(text, &pins); err != nil {
		t.Fatal(err)
	}
	if pins.Format != "svm-golden" || pins.ConsensusVersion != ConsensusVersion() || s.header.ConsensusVersion != ConsensusVersion() {
		t.Fatalf("%s: pinned under consensus version %d (stream %d); the library runs %d",
			path, pins.ConsensusVersion, s.header.ConsensusVersion, ConsensusVersion())
	}
	if len(pins.Txs) != len(s.lines) {
		t.Fatalf("%s: %d pins for %d transactions", path, len(pins.Txs), len(s.lines))
	}
	if err := rt.Genesis(s.genesis); err != nil {
		t.Fatal(err)
	}
	open := false
	var layer uint64
	for i, line := range s.lines {
		if !open || line.Layer != layer {
			if open {
				if _, err := rt.CommitLayer(); err != nil {
					t.Fatal(err)
				}
			}
			if err := rt.BeginLayer(line.Layer); err != nil {
				t.Fatal(err)
			}
			open, layer = true, line.Layer
		}
		receipt, err := rt.Apply(s.tx(t, i))
		if err != nil {
			t.Fatalf("%s tx %d: %v", path, i, err)
		}
		root, err := rt.StateRoot()
		if err != nil {
			t.Fatal(err)
		}
		pin := pins.Txs[i]
		gas, _ := pin[2].(float64)
		got := [4]any{root.String(), receipt.Hash.String(), float64(receipt.GasUsed), receipt.Outcome.Name}
		if got != pin || uint64(gas) != receipt.GasUsed {
			return i, fmt.Errorf("%s tx %d: got %v, pinned %v", path, i, got, pin)
		}
	}
	head, err := rt.CommitLayer()
	if err != nil {
		t.Fatal(err)
	}
	if head.Applied != uint64(len(s.lines)) || head.Layer != layer {
		t.Fatalf("%s: head %+v after %d transactions in layer %d", path, head, len(s.lines), layer)
	}
	return len(s.lines), nil
}

func goldenStreams(t *testing.T) []string {
	paths, err := filepath.Glob(filepath.Join(corpusDir, "streams", "seed-*.jsonl"))
	if err != nil || len(paths) < 3 {
		t.Fatalf("golden streams missing: %v %v", paths, err)
	}
	return paths
}

func TestGoldenStreamsReplayToTheirPins(t *testing.T) {
	for _, path := range goldenStreams(t) {
		path := path
		t.Run(filepath.Base(path), func(t *testing.T) {
			rt, err := NewMemory(Singlepass)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			n, err := replay(t, rt, path)
			if err != nil {
				t.Fatal(err)
			}
			if n < 100 {
				t.Fatalf("only %d transactions", n)
			}
		})
	}
}

func TestAGoldenStreamReplaysToItsPinsOnAPersistentStoreWithCranelift(t *testing.T) {
	path := goldenStreams(t)[0]
	rt, err := Open(filepath.Join(t.TempDir(), "node.redb"), Cranelift)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if _, err := replay(t, rt, path); err != nil {
		t.Fatal(err)
	}
}

// A replay that would accept anything proves nothing: one changed pin must fail it.
func TestAChangedPinFailsTheReplay(t *testing.T) {
	path := goldenStreams(t)[0]
	dir := t.TempDir()
	stream, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pins, err := os.ReadFile(strings.TrimSuffix(path, ".jsonl") + ".golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(pins, &g); err != nil {
		t.Fatal(err)
	}
	g.Txs[len(g.Txs)/2][2] = g.Txs[len(g.Txs)/2][2].(float64) + 1
	changed, _ := json.Marshal(g)
	copyPath := filepath.Join(dir, "s.jsonl")
	if err := os.WriteFile(copyPath, stream, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s.golden.json"), changed, 0o644); err != nil {
		t.Fatal(err)
	}
	rt, err := NewMemory(Singlepass)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	at, err := replay(t, rt, copyPath)
	if err == nil || at != len(g.Txs)/2 {
		t.Fatalf("a replay against a pin changed at tx %d stopped at %d: %v", len(g.Txs)/2, at, err)
	}
}
