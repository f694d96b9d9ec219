package occlum

import "github.com/occlumgo/occlum/syscalls/abi"

var fdFuncs = []abi.Func{}
