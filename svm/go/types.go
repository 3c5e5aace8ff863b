package svm

import (
	"encoding/hex"
	"fmt"
)

// Address is a 20-byte account address.
type Address [20]byte

// Hash is a 32-byte blake3 hash (state roots, receipt hashes, code hashes).
type Hash [32]byte

// String is the address as lowercase hex.
func (a Address) String() string { return hex.EncodeToString(a[:]) }

// String is the hash as lowercase hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseAddress reads an address from 40 hex digits.
func ParseAddress(text string) (Address, error) {
	var a Address
	return a, parseHex("address", text, a[:])
}

// ParseHash reads a hash from 64 hex digits.
func ParseHash(text string) (Hash, error) {
	var h Hash
	return h, parseHex("hash", text, h[:])
}

func parseHex(what, text string, out []byte) error {
	bytes, err := hex.DecodeString(text)
	if err != nil || len(bytes) != len(out) {
		return fmt.Errorf("svm: %s: want %d bytes of hex, got %q", what, len(out), text)
	}
	copy(out, bytes)
	return nil
}

// Compiler is the wasmer compiler a runtime uses; every compiler gives the same results.
type Compiler uint32

const (
	// Singlepass compiles fast (the default).
	Singlepass Compiler = 0
	// Cranelift optimizes.
	Cranelift Compiler = 1
)

// Head is where a store stands: the last committed layer, the transactions applied since genesis,
// and the state root after them. Present is false for a store with no genesis and no layer.
type Head struct {
	Present bool
	Layer   uint64
	Applied uint64
	Root    Hash
}

// Allocation is one genesis balance.
type Allocation struct {
	Address Address
	Amount  uint64
}
