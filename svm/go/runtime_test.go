package svm

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"sync"
	"testing"
)

var (
	author = Address{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	user   = Address{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}
)

// withContract is a memory runtime after genesis with corpus contract `name` deployed in layer 1
// (committed), and the contract's address.
func withContract(t testing.TB, name string) (*Runtime, Address) {
	t.Helper()
	rt, err := NewMemory(Singlepass)
	if err != nil {
		t.Fatal(err)
	}
	must(t, rt.Genesis([]Allocation{{author, 1 << 60}, {user, 1 << 60}}))
	must(t, rt.BeginLayer(1))
	code, pages, slices := corpusContract(t, name)
	tx, err := Deploy{Author: author, Code: code, PageCount: pages, Slices: slices, GasLimit: 10_000_000, GasPrice: 1}.Encode()
	must(t, err)
	receipt, err := rt.Apply(tx)
	must(t, err)
	if !receipt.Outcome.IsSuccess() || receipt.Contract == nil {
		t.Fatalf("deploy of %s: %s %s", name, receipt.Outcome, receipt.Diagnostic)
	}
	_, err = rt.CommitLayer()
	must(t, err)
	return rt, *receipt.Contract
}

func inc(t testing.TB, counter Address, nonce uint64) []byte {
	t.Helper()
	tx, err := Execute{Contract: counter, Sender: user, Nonce: nonce, Function: "inc", GasLimit: 1_000_000, GasPrice: 1}.Encode()
	must(t, err)
	return tx
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func count(t testing.TB, rt *Runtime, counter Address) uint64 {
	t.Helper()
	slice, err := rt.ContractSlice(counter, 0)
	must(t, err)
	return binary.LittleEndian.Uint64(slice)
}

func TestACounterCountsThroughGo(t *testing.T) {
	rt, counter := withContract(t, "counter")
	defer rt.Close()
	must(t, rt.BeginLayer(2))
	for n := int64(1); n <= 3; n++ {
		receipt, err := rt.Apply(inc(t, counter, uint64(n-1)))
		must(t, err)
		if !receipt.Outcome.IsSuccess() || len(receipt.Returns) != 1 || receipt.Returns[0] != (Value{Type: I64, Int: n}) {
			t.Fatalf("inc %d: %+v", n, receipt)
		}
	}
	head, err := rt.CommitLayer()
	must(t, err)
	root, err := rt.StateRoot()
	must(t, err)
	if head.Layer != 2 || head.Applied != 4 || head.Root != root {
		t.Fatalf("head %+v, root %s", head, root)
	}
	if c := count(t, rt, counter); c != 3 {
		t.Fatalf("count %d", c)
	}
	account, err := rt.Account(user)
	must(t, err)
	if account == nil || account.Nonce != 3 || account.Contract != nil {
		t.Fatalf("user account %+v", account)
	}
	nobody, err := rt.Account(Address{9})
	if err != nil || nobody != nil {
		t.Fatalf("no account: %v %v", nobody, err)
	}
}

func TestFailedAndInvalidTransactionsAreReceipts(t *testing.T) {
	rt, counter := withContract(t, "counter")
	defer rt.Close()
	must(t, rt.BeginLayer(2))
	receipt, err := rt.Apply(inc(t, counter, 5))
	must(t, err)
	if !receipt.Outcome.IsInvalid() || receipt.Outcome.Name != "invalid:nonce-mismatch" {
		t.Fatalf("%+v", receipt.Outcome)
	}
	tx, err := Execute{Contract: counter, Sender: user, Function: "nope", GasLimit: 1_000_000, GasPrice: 1}.Encode()
	must(t, err)
	receipt, err = rt.Apply(tx)
	must(t, err)
	if !receipt.Outcome.IsFailure() || receipt.Outcome.Name != "refused:no-such-function" {
		t.Fatalf("%+v", receipt.Outcome)
	}
}

func TestAViewCommitsNothingAndPredictsTheApply(t *testing.T) {
	rt, counter := withContract(t, "counter")
	defer rt.Close()
	before, err := rt.StateRoot()
	must(t, err)
	viewed, err := rt.View(inc(t, counter, 0), 2)
	must(t, err)
	after, err := rt.StateRoot()
	must(t, err)
	if before != after || count(t, rt, counter) != 0 {
		t.Fatal("the view changed the state")
	}
	must(t, rt.BeginLayer(2))
	applied, err := rt.Apply(inc(t, counter, 0))
	must(t, err)
	if applied.Hash != viewed.Hash || applied.GasUsed != viewed.GasUsed {
		t.Fatalf("view %+v, apply %+v", viewed, applied)
	}
}

func TestATracedApplyListsItsVMCalls(t *testing.T) {
	rt, counter := withContract(t, "counter")
	defer rt.Close()
	must(t, rt.BeginLayer(2))
	receipt, trace, err := rt.ApplyTraced(inc(t, counter, 0))
	must(t, err)
	if !receipt.Outcome.IsSuccess() || len(trace) != 2 || trace[0].VMCall != "storage_read_i64" || trace[1].VMCall != "storage_write_i64" {
		t.Fatalf("%+v %+v", receipt, trace)
	}
	for _, entry := range trace {
		if entry.Depth != 1 || entry.Contract != counter.String() {
			t.Fatalf("entry %+v: want depth 1 in %s", entry, counter)
		}
	}
}

func TestCallsFromSeveralGoroutinesAreSerialized(t *testing.T) {
	rt, counter := withContract(t, "counter")
	defer rt.Close()
	must(t, rt.BeginLayer(2))
	const goroutines, calls = 8, 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	successes := 0
	errs := make(chan error, goroutines*calls)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				account, err := rt.Account(user)
				if err != nil {
					errs <- err
					return
				}
				tx, err := Execute{Contract: counter, Sender: user, Nonce: account.Nonce, Function: "inc", GasLimit: 1_000_000, GasPrice: 1}.Encode()
				if err != nil {
					errs <- err
					return
				}
				receipt, err := rt.Apply(tx)
				if err != nil {
					errs <- err
					return
				}
				if _, err := rt.StateRoot(); err != nil {
					errs <- err
					return
				}
				switch {
				case receipt.Outcome.IsSuccess():
					mu.Lock()
					successes++
					mu.Unlock()
				case receipt.Outcome.Name != "invalid:nonce-mismatch":
					errs <- errors.New(receipt.Outcome.Name)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	account, err := rt.Account(user)
	must(t, err)
	if c := count(t, rt, counter); c != uint64(successes) || account.Nonce != uint64(successes) || successes == 0 {
		t.Fatalf("count %d, nonce %d, successes %d", c, account.Nonce, successes)
	}
	head, err := rt.CommitLayer()
	must(t, err)
	if head.Applied != 1+goroutines*calls {
		t.Fatalf("applied %d", head.Applied)
	}
}

func TestUseAfterCloseIsAHandleError(t *testing.T) {
	rt, counter := withContract(t, "counter")
	must(t, rt.Close())
	_, err := rt.StateRoot()
	if CodeOf(err) != CodeHandle || !errors.Is(err, &Error{Code: CodeHandle}) {
		t.Fatalf("state root after close: %v", err)
	}
	if _, err := rt.Apply(inc(t, counter, 0)); CodeOf(err) != CodeHandle {
		t.Fatalf("apply after close: %v", err)
	}
	if err := rt.Close(); CodeOf(err) != CodeHandle {
		t.Fatalf("second close: %v", err)
	}
}

func TestBadInputsAreTypedErrors(t *testing.T) {
	rt, counter := withContract(t, "counter")
	defer rt.Close()
	tx := inc(t, counter, 0)
	if _, err := rt.Apply(tx); CodeOf(err) != CodeState {
		t.Fatalf("apply with no layer open: %v", err)
	}
	must(t, rt.BeginLayer(2))
	for n := 0; n < len(tx); n++ {
		if _, err := rt.Apply(tx[:n]); CodeOf(err) != CodeCodec {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
	if _, err := TransactionFromJSON([]byte(`{"execute":{}}`), nil); CodeOf(err) != CodeInvalidInput {
		t.Fatalf("bad JSON: %v", err)
	}
	if _, err := DecodeReceipt([]byte{2, 0}); CodeOf(err) != CodeCodec {
		t.Fatalf("truncated receipt: %v", err)
	}
	if _, err := rt.ContractSlice(user, 0); CodeOf(err) != CodeNotFound {
		t.Fatalf("slice of no contract: %v", err)
	}
	if _, err := rt.Rewind(7); CodeOf(err) != CodeState {
		t.Fatalf("rewind inside a layer: %v", err)
	}
	if events, err := rt.QueryEvents(counter, nil, 2, 1, 10); err != nil || len(events) != 0 {
		t.Fatalf("a layer range from after to lists nothing: %v %v", events, err)
	}
	if _, err := NewMemory(Compiler(9)); CodeOf(err) != CodeInvalidInput {
		t.Fatalf("unknown compiler: %v", err)
	}
}

func TestAPersistentStoreReopensOpensPastLayersAndRewinds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.redb")
	rt, err := Open(path, Singlepass)
	must(t, err)
	must(t, rt.Genesis([]Allocation{{author, 1 << 40}, {user, 1 << 40}}))
	must(t, rt.BeginLayer(1))
	code, pages, slices := corpusContract(t, "counter")
	deploy, err := Deploy{Author: author, Code: code, PageCount: pages, Slices: slices, GasLimit: 10_000_000, GasPrice: 1}.Encode()
	must(t, err)
	receipt, err := rt.Apply(deploy)
	must(t, err)
	counter := *receipt.Contract
	layer1, err := rt.CommitLayer()
	must(t, err)
	for layer := uint64(2); layer <= 3; layer++ {
		must(t, rt.BeginLayer(layer))
		_, err := rt.Apply(inc(t, counter, layer-2))
		must(t, err)
		_, err = rt.CommitLayer()
		must(t, err)
	}
	if _, err := Open(path, Singlepass); CodeOf(err) != CodeStore {
		t.Fatalf("a second open of one store: %v", err)
	}
	must(t, rt.Close())

	rt, err = Open(path, Singlepass)
	must(t, err)
	defer rt.Close()
	head, err := rt.Head()
	must(t, err)
	if !head.Present || head.Layer != 3 || head.Applied != 3 || count(t, rt, counter) != 2 {
		t.Fatalf("reopened at %+v", head)
	}
	past, err := rt.OpenLayer(2)
	must(t, err)
	if count(t, past, counter) != 1 {
		t.Fatal("layer 2's count")
	}
	if err := past.BeginLayer(4); CodeOf(err) != CodeState {
		t.Fatalf("a past layer is read-only: %v", err)
	}
	must(t, past.Close())
	rewound, err := rt.Rewind(1)
	must(t, err)
	if rewound != layer1 {
		t.Fatalf("rewound to %+v, layer 1 ended at %+v", rewound, layer1)
	}
	if _, err := rt.OpenLayer(3); CodeOf(err) != CodeNotRetained {
		t.Fatalf("a forgotten layer: %v", err)
	}
}

func TestVersions(t *testing.T) {
	version, err := Version()
	must(t, err)
	if version == "" || ABIVersion() != 2 || ConsensusVersion() == 0 {
		t.Fatalf("version %q abi %d consensus %d", version, ABIVersion(), ConsensusVersion())
	}
}
