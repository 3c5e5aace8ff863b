package svm

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// corpusDir is the repository's corpus/.
var corpusDir = filepath.Join("..", "..", "corpus")

// streamHeader is the first line of a stream file.
type streamHeader struct {
	Format           string           `json:"format"`
	Version          uint32           `json:"version"`
	ConsensusVersion uint32           `json:"consensus_version"`
	Seed             uint64           `json:"seed"`
	Genesis          [][2]any         `json:"genesis"`
	Snapshot         json.RawMessage  `json:"snapshot"`
	Contracts        []streamContract `json:"contracts"`
}

type streamContract struct {
	Name string          `json:"name"`
	Hash string          `json:"hash"`
	Wasm string          `json:"wasm"`
	Plan json.RawMessage `json:"plan"`
}

// streamLine is one transaction line of a stream file.
type streamLine struct {
	Layer uint64          `json:"layer"`
	Tx    json.RawMessage `json:"tx"`
}

// stream is a stream file read for replay: genesis, the code by hash, the lines.
type stream struct {
	header  streamHeader
	genesis []Allocation
	code    map[string][]byte
	lines   []streamLine
}

func readStream(t testing.TB, path string) *stream {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	s := &stream{code: map[string][]byte{}}
	for first := true; scanner.Scan(); first = false {
		if first {
			decoder := json.NewDecoder(strings.NewReader(scanner.Text()))
			decoder.UseNumber()
			if err := decoder.Decode(&s.header); err != nil {
				t.Fatalf("%s header: %v", path, err)
			}
			continue
		}
		var line streamLine
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			t.Fatalf("%s line %d: %v", path, len(s.lines)+2, err)
		}
		s.lines = append(s.lines, line)
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	if s.header.Format != "svm-stream" || len(s.header.Snapshot) > 0 && string(s.header.Snapshot) != "null" {
		t.Fatalf("%s: not a genesis stream this replay reads", path)
	}
	for _, g := range s.header.Genesis {
		text, _ := g[0].(string)
		address, err := ParseAddress(text)
		if err != nil {
			t.Fatal(err)
		}
		number, _ := g[1].(json.Number)
		amount, err := strconv.ParseUint(string(number), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		s.genesis = append(s.genesis, Allocation{address, amount})
	}
	for _, c := range s.header.Contracts {
		wasm, err := hex.DecodeString(c.Wasm)
		if err != nil {
			t.Fatal(err)
		}
		s.code[c.Hash] = wasm
	}
	return s
}

// tx is line i as a canonical transaction message (a deploy's code looked up by its hash).
func (s *stream) tx(t testing.TB, i int) []byte {
	t.Helper()
	var kind struct {
		Deploy *struct {
			Code string `json:"code"`
		} `json:"deploy"`
		DeployLibrary *struct {
			Code string `json:"code"`
		} `json:"deploy_library"`
	}
	if err := json.Unmarshal(s.lines[i].Tx, &kind); err != nil {
		t.Fatal(err)
	}
	var code []byte
	hash := ""
	if kind.Deploy != nil {
		hash = kind.Deploy.Code
	} else if kind.DeployLibrary != nil {
		hash = kind.DeployLibrary.Code
	}
	if hash != "" {
		var ok bool
		if code, ok = s.code[hash]; !ok {
			t.Fatalf("line %d deploys code %s the header does not carry", i+2, hash)
		}
	}
	tx, err := TransactionFromJSON(s.lines[i].Tx, code)
	if err != nil {
		t.Fatalf("line %d: %v", i+2, err)
	}
	return tx
}

// corpusContract is a corpus WAT contract as a stream header carries it (compiled), with the layout
// its `;; svm-layout:` line declares.
func corpusContract(t testing.TB, name string) ([]byte, uint32, []Slice) {
	t.Helper()
	wat, err := os.ReadFile(filepath.Join(corpusDir, "contracts", name+".wat"))
	if err != nil {
		t.Fatal(err)
	}
	pages, slices := layoutOf(t, name, string(wat))
	s := readStream(t, filepath.Join(corpusDir, "streams", "seed-1.jsonl"))
	for _, c := range s.header.Contracts {
		if c.Name == name {
			return s.code[c.Hash], pages, slices
		}
	}
	t.Fatalf("seed-1 carries no contract %s", name)
	return nil, 0, nil
}

// layoutOf is the page count and slices the `;; svm-layout:` line of a contract's WAT declares.
func layoutOf(t testing.TB, name, wat string) (uint32, []Slice) {
	t.Helper()
	var pages uint32
	var slices []Slice
	for _, line := range strings.Split(wat, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, ";; svm-layout:") {
			continue
		}
		rest := strings.TrimPrefix(line, ";; svm-layout:")
		for _, field := range strings.Fields(rest) {
			if strings.HasPrefix(field, "pages=") {
				n, _ := strconv.ParseUint(strings.TrimPrefix(field, "pages="), 10, 32)
				pages = uint32(n)
				continue
			}
			field = strings.TrimPrefix(field, "slices=")
			var s Slice
			if _, err := fmt.Sscanf(field, "%d:%d:%d", &s.Page, &s.Offset, &s.Len); err != nil {
				t.Fatalf("%s layout %q: %v", name, field, err)
			}
			slices = append(slices, s)
		}
	}
	return pages, slices
}
