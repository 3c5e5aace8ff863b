// Package svm embeds the SVM runtime in Go through its C API (svm/ffi).
//
// Build the library first: `cargo build --release -p svm-ffi` (from the repository root) makes
// target/release/libsvm_ffi.a, which this package links statically. A Runtime is safe for use from
// several goroutines: the library serializes the calls on one runtime. Close it when done; a
// finalizer closes a forgotten one. No Go pointer is kept by C: inputs are copied during the call and
// outputs are C buffers copied into Go memory and freed before the call returns.
package svm

/*
#cgo CFLAGS: -I${SRCDIR}/../ffi/include
#cgo LDFLAGS: ${SRCDIR}/../../target/release/libsvm_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl
#include "svm.h"
*/
import "C"

import "unsafe"

// take copies a buffer the library returned into Go memory and frees it.
func take(buffer C.SvmBuffer) []byte {
	if buffer.ptr == nil {
		return nil
	}
	bytes := C.GoBytes(unsafe.Pointer(buffer.ptr), C.int(buffer.len))
	C.svm_buffer_free(buffer)
	return bytes
}

// pointer is the address of the first byte of b for the duration of a call (nil when b is empty).
func pointer(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0]))
}

// status turns a call's status code and error buffer into a Go error.
func status(code C.int32_t, message C.SvmBuffer) error {
	text := take(message)
	if code == C.SVM_OK {
		return nil
	}
	return &Error{Code: Code(code), Message: string(text)}
}

// ABIVersion is the version of the C API the library implements.
func ABIVersion() uint32 { return uint32(C.svm_abi_version()) }

// ConsensusVersion is the version of the consensus rules the library runs.
func ConsensusVersion() uint32 { return uint32(C.svm_consensus_version()) }

// Version is the library's version.
func Version() (string, error) {
	var out, message C.SvmBuffer
	code := C.svm_version(&out, &message)
	if err := status(code, message); err != nil {
		return "", err
	}
	return string(take(out)), nil
}
