package svm

/*
#include "svm.h"
*/
import "C"

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// TransactionFromJSON builds a canonical transaction message from its JSON form — a stream file
// line's "tx" — with a deploy's or library deploy's code given beside it (nil for other kinds).
func TransactionFromJSON(txJSON []byte, code []byte) ([]byte, error) {
	var out, message C.SvmBuffer
	rc := C.svm_transaction_from_json(pointer(txJSON), C.size_t(len(txJSON)), pointer(code), C.size_t(len(code)), &out, &message)
	if err := status(rc, message); err != nil {
		return nil, err
	}
	return take(out), nil
}

// Slice is a contract storage variable: Len bytes at Offset of page Page.
type Slice struct {
	Page, Offset, Len uint32
}

// Deploy deploys a contract.
type Deploy struct {
	Author         Address
	Nonce          uint64
	Code           []byte
	PageCount      uint32
	Slices         []Slice
	InitialBalance uint64
	GasLimit       uint64
	GasPrice       uint64
}

// Execute calls an exported function of a deployed contract.
type Execute struct {
	Contract Address
	Sender   Address
	Nonce    uint64
	Function string
	Args     []Value
	Calldata []byte
	GasLimit uint64
	GasPrice uint64
	Value    uint64
}

// Transfer moves balance between accounts.
type Transfer struct {
	From     Address
	To       Address
	Nonce    uint64
	Amount   uint64
	GasPrice uint64
}

// DeployLibrary deploys a library: code contracts import by its hash (see the README, Libraries).
type DeployLibrary struct {
	Author   Address
	Nonce    uint64
	Code     []byte
	GasLimit uint64
	GasPrice uint64
}

// Encode is the library deploy's canonical transaction message.
func (l DeployLibrary) Encode() ([]byte, error) {
	return encode(map[string]any{"deploy_library": map[string]any{
		"author": l.Author.String(), "nonce": l.Nonce, "gas_limit": l.GasLimit, "gas_price": l.GasPrice,
	}}, l.Code)
}

// Encode is the deploy's canonical transaction message.
func (d Deploy) Encode() ([]byte, error) {
	slices := make([][3]uint32, len(d.Slices))
	for i, s := range d.Slices {
		slices[i] = [3]uint32{s.Page, s.Offset, s.Len}
	}
	return encode(map[string]any{"deploy": map[string]any{
		"author": d.Author.String(), "nonce": d.Nonce, "page_count": d.PageCount, "slices": slices,
		"initial_balance": d.InitialBalance, "gas_limit": d.GasLimit, "gas_price": d.GasPrice,
	}}, d.Code)
}

// Encode is the execution's canonical transaction message.
func (e Execute) Encode() ([]byte, error) {
	args := make([]map[string]any, len(e.Args))
	for i, v := range e.Args {
		switch v.Type {
		case I32, I64:
			args[i] = map[string]any{string(v.Type): v.Int}
		case F32:
			args[i] = map[string]any{"f32": fmt.Sprintf("%08x", uint32(v.Bits))}
		case F64:
			args[i] = map[string]any{"f64": fmt.Sprintf("%016x", v.Bits)}
		default:
			return nil, fmt.Errorf("svm: argument %d has no value type", i)
		}
	}
	return encode(map[string]any{"execute": map[string]any{
		"contract": e.Contract.String(), "sender": e.Sender.String(), "nonce": e.Nonce, "function": e.Function,
		"args": args, "calldata": hex.EncodeToString(e.Calldata), "gas_limit": e.GasLimit, "gas_price": e.GasPrice,
		"value": e.Value,
	}}, nil)
}

// Encode is the transfer's canonical transaction message.
func (t Transfer) Encode() ([]byte, error) {
	return encode(map[string]any{"transfer": map[string]any{
		"from": t.From.String(), "to": t.To.String(), "nonce": t.Nonce, "amount": t.Amount, "gas_price": t.GasPrice,
	}}, nil)
}

func encode(tx map[string]any, code []byte) ([]byte, error) {
	text, err := json.Marshal(tx)
	if err != nil {
		return nil, err
	}
	return TransactionFromJSON(text, code)
}
