// Package fsplugin holds the generated Go code of the file-system plugin
// protocol (fsplugin.proto): messages and the FileSystem gRPC service.
// `go generate ./...` reproduces it with Debian's protoc and the
// protoc-gen-go and protoc-gen-go-grpc versions pinned as tools in go.mod.
package fsplugin

//go:generate sh -c "d=$(mktemp -d) && go build -o $d/protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go && go build -o $d/protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc && protoc --plugin=protoc-gen-go=$d/protoc-gen-go --plugin=protoc-gen-go-grpc=$d/protoc-gen-go-grpc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative fsplugin.proto; s=$?; rm -rf $d; exit $s"
