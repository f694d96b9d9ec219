package occlum

import "github.com/occlumgo/occlum/syscalls/abi"

var infoFuncs = []abi.Func{}
