package occlum

import "github.com/occlumgo/occlum/syscalls/abi"

var cwdFuncs = []abi.Func{}
