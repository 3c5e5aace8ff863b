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

// Outcome is what happened to a transaction: its stable name (`success`, `invalid:nonce-mismatch`,
// `trap:unreachable` …) and its (class, detail) codes.
type Outcome struct {
	Name   string
	Class  uint8
	Detail uint8
}

// IsSuccess reports whether the transaction was applied.
func (o Outcome) IsSuccess() bool { return o.Class == 0 }

// IsInvalid reports whether the transaction changed nothing at all (not even the nonce).
func (o Outcome) IsInvalid() bool { return o.Class == 1 }

// IsFailure reports whether the transaction failed: it paid its fee and changed nothing else.
func (o Outcome) IsFailure() bool { return !o.IsSuccess() && !o.IsInvalid() }

func (o Outcome) String() string { return o.Name }

// ValueType is the type of a wasm value.
type ValueType string

// The value types.
const (
	I32 ValueType = "i32"
	I64 ValueType = "i64"
	F32 ValueType = "f32"
	F64 ValueType = "f64"
)

// Value is a typed wasm value: integers as their value, floats by their bits.
type Value struct {
	Type ValueType
	// Int is the value of an i32 or i64.
	Int int64
	// Bits are the bits of an f32 or f64.
	Bits uint64
}

// Receipt is the result of one transaction. Raw is the canonical receipt message it was read from.
type Receipt struct {
	Outcome    Outcome
	GasUsed    uint64
	Contract   *Address
	State      *Hash
	Returns    []Value
	Returndata []byte
	Logs       [][]byte
	// Events are the events a successful execution emitted, in order (none for anything else).
	Events []Event
	// Calls are the calls a successful execution made, in order (a failed callee's own calls left out).
	Calls []CallRecord
	// Diagnostic is for people; it is not consensus data and may differ between nodes.
	Diagnostic string
	// Hash is the consensus hash replicas compare.
	Hash Hash
	Raw  []byte
}

type receiptJSON struct {
	Outcome       string                       `json:"outcome"`
	OutcomeClass  uint8                        `json:"outcome_class"`
	OutcomeDetail uint8                        `json:"outcome_detail"`
	GasUsed       uint64                       `json:"gas_used"`
	Contract      *string                      `json:"contract"`
	State         *string                      `json:"state"`
	Returns       []map[string]json.RawMessage `json:"returns"`
	Returndata    string                       `json:"returndata"`
	Logs          []string                     `json:"logs"`
	Events        []eventJSON                  `json:"events"`
	Calls         []callJSON                   `json:"calls"`
	Diagnostic    string                       `json:"diagnostic"`
	Hash          string                       `json:"hash"`
}

// DecodeReceipt reads a canonical receipt message (as Runtime.ApplyBytes returns).
func DecodeReceipt(raw []byte) (*Receipt, error) {
	var out, message C.SvmBuffer
	code := C.svm_receipt_json(pointer(raw), C.size_t(len(raw)), &out, &message)
	if err := status(code, message); err != nil {
		return nil, err
	}
	var j receiptJSON
	if err := json.Unmarshal(take(out), &j); err != nil {
		return nil, fmt.Errorf("svm: receipt JSON: %w", err)
	}
	r := &Receipt{
		Outcome:    Outcome{Name: j.Outcome, Class: j.OutcomeClass, Detail: j.OutcomeDetail},
		GasUsed:    j.GasUsed,
		Diagnostic: j.Diagnostic,
		Raw:        append([]byte(nil), raw...),
	}
	var err error
	if r.Hash, err = ParseHash(j.Hash); err != nil {
		return nil, err
	}
	if j.Contract != nil {
		a, err := ParseAddress(*j.Contract)
		if err != nil {
			return nil, err
		}
		r.Contract = &a
	}
	if j.State != nil {
		h, err := ParseHash(*j.State)
		if err != nil {
			return nil, err
		}
		r.State = &h
	}
	for _, v := range j.Returns {
		value, err := valueOf(v)
		if err != nil {
			return nil, err
		}
		r.Returns = append(r.Returns, value)
	}
	if r.Returndata, err = hex.DecodeString(j.Returndata); err != nil {
		return nil, fmt.Errorf("svm: receipt returndata: %w", err)
	}
	for _, l := range j.Logs {
		log, err := hex.DecodeString(l)
		if err != nil {
			return nil, fmt.Errorf("svm: receipt log: %w", err)
		}
		r.Logs = append(r.Logs, log)
	}
	for _, e := range j.Events {
		event, err := e.event()
		if err != nil {
			return nil, err
		}
		r.Events = append(r.Events, event)
	}
	for _, c := range j.Calls {
		call, err := c.record()
		if err != nil {
			return nil, err
		}
		r.Calls = append(r.Calls, call)
	}
	return r, nil
}

// CallRecord is one call a transaction made: the callee frame's depth (2 for the transaction's own calls), the
// calling and called contracts, the function, the callee's outcome, the gas it used and the value asked to move.
type CallRecord struct {
	Depth    uint8
	Caller   Address
	Callee   Address
	Function string
	Outcome  Outcome
	GasUsed  uint64
	Value    uint64
}

// callJSON is a call record as svm_receipt_json renders it.
type callJSON struct {
	Depth         uint8  `json:"depth"`
	Caller        string `json:"caller"`
	Callee        string `json:"callee"`
	Function      string `json:"function"`
	Outcome       string `json:"outcome"`
	OutcomeClass  uint8  `json:"outcome_class"`
	OutcomeDetail uint8  `json:"outcome_detail"`
	GasUsed       uint64 `json:"gas_used"`
	Value         uint64 `json:"value"`
}

func (j callJSON) record() (CallRecord, error) {
	c := CallRecord{
		Depth:    j.Depth,
		Function: j.Function,
		Outcome:  Outcome{Name: j.Outcome, Class: j.OutcomeClass, Detail: j.OutcomeDetail},
		GasUsed:  j.GasUsed,
		Value:    j.Value,
	}
	var err error
	if c.Caller, err = ParseAddress(j.Caller); err != nil {
		return CallRecord{}, err
	}
	if c.Callee, err = ParseAddress(j.Callee); err != nil {
		return CallRecord{}, err
	}
	return c, nil
}

// eventJSON is an event as svm_receipt_json renders it.
type eventJSON struct {
	Contract string   `json:"contract"`
	Topics   []string `json:"topics"`
	Data     string   `json:"data"`
	Expires  uint64   `json:"expires"`
}

func (j eventJSON) event() (Event, error) {
	e := Event{Expires: j.Expires}
	var err error
	if e.Contract, err = ParseAddress(j.Contract); err != nil {
		return Event{}, err
	}
	for _, text := range j.Topics {
		var t Topic
		if err := parseHex("topic", text, t[:]); err != nil {
			return Event{}, err
		}
		e.Topics = append(e.Topics, t)
	}
	if e.Data, err = hex.DecodeString(j.Data); err != nil {
		return Event{}, fmt.Errorf("svm: event data: %w", err)
	}
	return e, nil
}

func valueOf(v map[string]json.RawMessage) (Value, error) {
	for kind, raw := range v {
		switch ValueType(kind) {
		case I32, I64:
			var n int64
			err := json.Unmarshal(raw, &n)
			return Value{Type: ValueType(kind), Int: n}, err
		case F32, F64:
			var bits string
			if err := json.Unmarshal(raw, &bits); err != nil {
				return Value{}, err
			}
			var n uint64
			_, err := fmt.Sscanf(bits, "%x", &n)
			return Value{Type: ValueType(kind), Bits: n}, err
		}
	}
	return Value{}, fmt.Errorf("svm: unknown value %v", v)
}

// Account is an account's balance, nonce and, for a contract, its code and state; for a library's account, the
// library's code hash.
type Account struct {
	Balance  uint64
	Nonce    uint64
	Contract *ContractInfo
	Library  *Hash
}

// ContractInfo is what makes an account a contract.
type ContractInfo struct {
	CodeHash Hash
	MetaHash Hash
	State    Hash
}

type accountJSON struct {
	Balance  uint64 `json:"balance"`
	Nonce    uint64 `json:"nonce"`
	Contract *struct {
		CodeHash string `json:"code_hash"`
		MetaHash string `json:"meta_hash"`
		State    string `json:"state"`
	} `json:"contract"`
	Library *string `json:"library"`
}

// decodeAccount reads a canonical account encoding (as svm_account writes it).
func decodeAccount(raw []byte) (*Account, error) {
	var out, message C.SvmBuffer
	code := C.svm_account_json(pointer(raw), C.size_t(len(raw)), &out, &message)
	if err := status(code, message); err != nil {
		return nil, err
	}
	var j accountJSON
	if err := json.Unmarshal(take(out), &j); err != nil {
		return nil, fmt.Errorf("svm: account JSON: %w", err)
	}
	a := &Account{Balance: j.Balance, Nonce: j.Nonce}
	if j.Contract != nil {
		var c ContractInfo
		var err error
		if c.CodeHash, err = ParseHash(j.Contract.CodeHash); err != nil {
			return nil, err
		}
		if c.MetaHash, err = ParseHash(j.Contract.MetaHash); err != nil {
			return nil, err
		}
		if c.State, err = ParseHash(j.Contract.State); err != nil {
			return nil, err
		}
		a.Contract = &c
	}
	if j.Library != nil {
		library, err := ParseHash(*j.Library)
		if err != nil {
			return nil, err
		}
		a.Library = &library
	}
	return a, nil
}

// TraceEntry is one vmcall a traced transaction made, by the frame at Depth (1: the transaction's own) running
// Contract (hex); a callee's entries come before its caller's contract_call entry.
type TraceEntry struct {
	Depth     uint32  `json:"depth"`
	Contract  string  `json:"contract"`
	VMCall    string  `json:"vmcall"`
	Args      []int64 `json:"args"`
	Result    *int64  `json:"result"`
	Trap      *string `json:"trap"`
	GasBefore uint64  `json:"gas_before"`
	GasAfter  uint64  `json:"gas_after"`
	Bytes     *string `json:"bytes"`
}
