package svm

import (
	"errors"
	"fmt"
)

// Code is a C API status code (svm/ffi/README.md lists them).
type Code int32

// The status codes; stable across versions.
const (
	CodeNullPointer  Code = 1
	CodeInvalidInput Code = 2
	CodeCodec        Code = 3
	CodeHandle       Code = 4
	CodeStore        Code = 5
	CodeState        Code = 6
	CodeNotFound     Code = 7
	CodeNotRetained  Code = 8
	CodeNode         Code = 9
	CodeUnsupported  Code = 10
	CodePanic        Code = 11
	CodePoisoned     Code = 12
)

var codeNames = map[Code]string{
	CodeNullPointer: "null-pointer", CodeInvalidInput: "invalid-input", CodeCodec: "codec",
	CodeHandle: "handle", CodeStore: "store", CodeState: "state", CodeNotFound: "not-found",
	CodeNotRetained: "not-retained", CodeNode: "node", CodeUnsupported: "unsupported", CodePanic: "panic",
	CodePoisoned: "poisoned",
}

// String is the code's short name.
func (c Code) String() string {
	if name, ok := codeNames[c]; ok {
		return name
	}
	return fmt.Sprintf("code-%d", int32(c))
}

// Error is a failed C API call: its status code and the library's message.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("svm: %s (%d): %s", e.Code, int32(e.Code), e.Message)
}

// Is makes errors.Is(err, &svm.Error{Code: c}) match any error with code c.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// CodeOf is the status code of err, or 0 when err is no *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}
