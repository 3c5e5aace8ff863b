package svm

/*
#include "svm.h"
*/
import "C"

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"runtime"
	"unsafe"
)

// Runtime is one SVM runtime over its store. Its methods may be called from several goroutines;
// the library runs the calls on one runtime one at a time. Close releases it; every call after Close
// returns an *Error with CodeHandle.
type Runtime struct {
	handle C.SvmRuntime
}

func newRuntime(handle C.SvmRuntime) *Runtime {
	r := &Runtime{handle: handle}
	runtime.SetFinalizer(r, func(r *Runtime) { C.svm_runtime_close(r.handle, nil) })
	return r
}

// NewMemory creates a runtime over a new in-memory store.
func NewMemory(compiler Compiler) (*Runtime, error) {
	var handle C.SvmRuntime
	var message C.SvmBuffer
	if err := status(C.svm_runtime_new_memory(C.uint32_t(compiler), &handle, &message), message); err != nil {
		return nil, err
	}
	return newRuntime(handle), nil
}

// Open opens the persistent store at path (created if missing) at its durable head.
func Open(path string, compiler Compiler) (*Runtime, error) {
	var handle C.SvmRuntime
	var message C.SvmBuffer
	p := []byte(path)
	rc := C.svm_runtime_open(pointer(p), C.size_t(len(p)), C.uint32_t(compiler), &handle, &message)
	if err := status(rc, message); err != nil {
		return nil, err
	}
	return newRuntime(handle), nil
}

// OpenLayer opens a read-only runtime over the same store at the state layer `layer` ended at.
func (r *Runtime) OpenLayer(layer uint64) (*Runtime, error) {
	var handle C.SvmRuntime
	var message C.SvmBuffer
	rc := C.svm_runtime_open_layer(r.handle, C.uint64_t(layer), &handle, &message)
	runtime.KeepAlive(r)
	if err := status(rc, message); err != nil {
		return nil, err
	}
	return newRuntime(handle), nil
}

// Close releases the runtime (waiting for a call in progress on it). Closing twice is an error.
func (r *Runtime) Close() error {
	var message C.SvmBuffer
	err := status(C.svm_runtime_close(r.handle, &message), message)
	if err == nil {
		runtime.SetFinalizer(r, nil)
	}
	return err
}

// Genesis credits the initial balances and records them as layer 0; only on a store with no head.
func (r *Runtime) Genesis(allocations []Allocation) error {
	records := make([]byte, 0, len(allocations)*C.SVM_GENESIS_RECORD_BYTES)
	for _, a := range allocations {
		records = append(records, a.Address[:]...)
		records = binary.LittleEndian.AppendUint64(records, a.Amount)
	}
	var message C.SvmBuffer
	rc := C.svm_genesis(r.handle, pointer(records), C.size_t(len(records)), &message)
	runtime.KeepAlive(r)
	return status(rc, message)
}

// BeginLayer opens layer `layer`: the transactions applied until CommitLayer run in it.
func (r *Runtime) BeginLayer(layer uint64) error {
	var message C.SvmBuffer
	rc := C.svm_layer_begin(r.handle, C.uint64_t(layer), &message)
	runtime.KeepAlive(r)
	return status(rc, message)
}

// CommitLayer records the open layer as the durable head (and syncs the store).
func (r *Runtime) CommitLayer() (Head, error) {
	var head C.SvmHead
	var message C.SvmBuffer
	rc := C.svm_layer_commit(r.handle, &head, &message)
	runtime.KeepAlive(r)
	return headOf(head), status(rc, message)
}

// Head is where the runtime stands.
func (r *Runtime) Head() (Head, error) {
	var head C.SvmHead
	var message C.SvmBuffer
	rc := C.svm_head(r.handle, &head, &message)
	runtime.KeepAlive(r)
	return headOf(head), status(rc, message)
}

// StateRoot is the current global state root.
func (r *Runtime) StateRoot() (Hash, error) {
	var root Hash
	var message C.SvmBuffer
	rc := C.svm_state_root(r.handle, (*C.uint8_t)(unsafe.Pointer(&root[0])), &message)
	runtime.KeepAlive(r)
	return root, status(rc, message)
}

// Rewind moves the store back to where layer `layer` ended, forgetting every later layer.
func (r *Runtime) Rewind(layer uint64) (Head, error) {
	var head C.SvmHead
	var message C.SvmBuffer
	rc := C.svm_rewind(r.handle, C.uint64_t(layer), &head, &message)
	runtime.KeepAlive(r)
	return headOf(head), status(rc, message)
}

// ApplyBytes applies a canonical transaction message in the open layer and returns the canonical
// receipt message. A failed or invalid transaction is a receipt, not an error.
func (r *Runtime) ApplyBytes(tx []byte) ([]byte, error) {
	var receipt, message C.SvmBuffer
	rc := C.svm_apply(r.handle, pointer(tx), C.size_t(len(tx)), &receipt, &message)
	runtime.KeepAlive(r)
	if err := status(rc, message); err != nil {
		return nil, err
	}
	return take(receipt), nil
}

// Apply applies a canonical transaction message in the open layer and decodes its receipt.
func (r *Runtime) Apply(tx []byte) (*Receipt, error) {
	raw, err := r.ApplyBytes(tx)
	if err != nil {
		return nil, err
	}
	return DecodeReceipt(raw)
}

// ApplyTraced is Apply, also returning every vmcall the transaction made.
func (r *Runtime) ApplyTraced(tx []byte) (*Receipt, []TraceEntry, error) {
	var receipt, trace, message C.SvmBuffer
	rc := C.svm_apply_traced(r.handle, pointer(tx), C.size_t(len(tx)), &receipt, &trace, &message)
	runtime.KeepAlive(r)
	if err := status(rc, message); err != nil {
		return nil, nil, err
	}
	raw, traceJSON := take(receipt), take(trace)
	var entries []TraceEntry
	if err := json.Unmarshal(traceJSON, &entries); err != nil {
		return nil, nil, fmt.Errorf("svm: trace JSON: %w", err)
	}
	decoded, err := DecodeReceipt(raw)
	return decoded, entries, err
}

// View runs tx as if applied in layer `layer` now and returns the receipt it would get, committing
// nothing (queries and gas estimation).
func (r *Runtime) View(tx []byte, layer uint64) (*Receipt, error) {
	var receipt, message C.SvmBuffer
	rc := C.svm_view(r.handle, pointer(tx), C.size_t(len(tx)), C.uint64_t(layer), &receipt, &message)
	runtime.KeepAlive(r)
	if err := status(rc, message); err != nil {
		return nil, err
	}
	return DecodeReceipt(take(receipt))
}

// Account is the account at address, or nil when there is none.
func (r *Runtime) Account(address Address) (*Account, error) {
	var account, message C.SvmBuffer
	rc := C.svm_account(r.handle, (*C.uint8_t)(unsafe.Pointer(&address[0])), &account, &message)
	runtime.KeepAlive(r)
	if err := status(rc, message); err != nil {
		return nil, err
	}
	raw := take(account)
	if len(raw) == 0 {
		return nil, nil
	}
	return decodeAccount(raw)
}

// ContractSlice is the bytes of storage slice `slice` of the contract at address.
func (r *Runtime) ContractSlice(address Address, slice uint32) ([]byte, error) {
	var out, message C.SvmBuffer
	rc := C.svm_contract_slice(r.handle, (*C.uint8_t)(unsafe.Pointer(&address[0])), C.uint32_t(slice), &out, &message)
	runtime.KeepAlive(r)
	if err := status(rc, message); err != nil {
		return nil, err
	}
	return take(out), nil
}

func headOf(h C.SvmHead) Head {
	head := Head{Present: bool(h.present), Layer: uint64(h.layer), Applied: uint64(h.applied)}
	for i := range head.Root {
		head.Root[i] = byte(h.root[i])
	}
	return head
}
