package svm

import "testing"

// The boundary's own cost: one cgo call that does nothing (the library returns a constant).
func BenchmarkCgoCallNoop(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ConsensusVersion()
	}
}

// One call on a runtime handle that does almost nothing: cgo, the handle lookup, the handle's lock,
// the error-buffer protocol, 32 bytes out.
func BenchmarkStateRoot(b *testing.B) {
	rt, _ := withContract(b, "counter")
	defer rt.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rt.StateRoot(); err != nil {
			b.Fatal(err)
		}
	}
}

// counter.inc applied from Go: canonical bytes in, canonical receipt bytes out (transactions encoded
// before the timer). Compare with `cargo run --release -p svm-ffi --example boundary`.
func BenchmarkCounterIncBytes(b *testing.B) {
	rt, counter := withContract(b, "counter")
	defer rt.Close()
	txs := make([][]byte, b.N)
	for i := range txs {
		txs[i] = inc(b, counter, uint64(i))
	}
	must(b, rt.BeginLayer(2))
	b.ResetTimer()
	for _, tx := range txs {
		if _, err := rt.ApplyBytes(tx); err != nil {
			b.Fatal(err)
		}
	}
}

// As BenchmarkCounterIncBytes, with the receipt decoded into a Go Receipt (one more cgo call and JSON).
func BenchmarkCounterIncDecoded(b *testing.B) {
	rt, counter := withContract(b, "counter")
	defer rt.Close()
	txs := make([][]byte, b.N)
	for i := range txs {
		txs[i] = inc(b, counter, uint64(i))
	}
	must(b, rt.BeginLayer(2))
	b.ResetTimer()
	for _, tx := range txs {
		receipt, err := rt.Apply(tx)
		if err != nil || !receipt.Outcome.IsSuccess() {
			b.Fatal(receipt, err)
		}
	}
}

// token.transfer(0, 1, 1) applied from Go (holder 0 minted first), bytes in and out.
func BenchmarkTokenTransferBytes(b *testing.B) {
	rt, token := withContract(b, "token")
	defer rt.Close()
	must(b, rt.BeginLayer(2))
	mint, err := Execute{Contract: token, Sender: user, Function: "mint", Args: []Value{{Type: I32, Int: 0}, {Type: I64, Int: 1 << 40}},
		GasLimit: 1_000_000, GasPrice: 1}.Encode()
	must(b, err)
	if r, err := rt.Apply(mint); err != nil || !r.Outcome.IsSuccess() {
		b.Fatal(r, err)
	}
	txs := make([][]byte, b.N)
	for i := range txs {
		txs[i], err = Execute{Contract: token, Sender: user, Nonce: uint64(i + 1), Function: "transfer",
			Args: []Value{{Type: I32, Int: 0}, {Type: I32, Int: 1}, {Type: I64, Int: 1}}, GasLimit: 1_000_000, GasPrice: 1}.Encode()
		must(b, err)
	}
	b.ResetTimer()
	for _, tx := range txs {
		if _, err := rt.ApplyBytes(tx); err != nil {
			b.Fatal(err)
		}
	}
}
