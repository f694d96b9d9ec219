package occlum

import "github.com/occlumgo/occlum/syscalls/abi"

var rlimitFuncs = []abi.Func{}
