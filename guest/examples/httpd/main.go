//go:build wasip1

// Command httpd is a net/http server and client running inside the LibOS
// through guest/occlum:
//
//	httpd serve ADDR     serve "hello from the LibOS" on ADDR (e.g. 0.0.0.0:8080)
//	httpd get URL        fetch URL and print the body
//	httpd selftest       serve on 127.0.0.1:0 and fetch from it in the same
//	                     program (the connection is joined inside the LibOS)
//
// Only Listen and Dial differ from an ordinary Go program.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/occlumgo/occlum/guest/occlum"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: httpd serve ADDR | get URL | selftest")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		if len(os.Args) != 3 {
			fmt.Fprintln(os.Stderr, "usage: httpd serve ADDR")
			os.Exit(2)
		}
		ln, err := occlum.Listen("tcp", os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "httpd:", err)
			os.Exit(1)
		}
		fmt.Println("listening on", os.Args[2])
		if err := http.Serve(ln, handler()); err != nil {
			fmt.Fprintln(os.Stderr, "httpd:", err)
			os.Exit(1)
		}
	case "get":
		body, err := get(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "httpd:", err)
			os.Exit(1)
		}
		fmt.Print(body)
	case "selftest":
		ln, err := occlum.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, "httpd:", err)
			os.Exit(1)
		}
		go http.Serve(ln, handler())
		port, err := occlum.LocalPort(ln)
		if err != nil {
			fmt.Fprintln(os.Stderr, "httpd:", err)
			os.Exit(1)
		}
		for i := 0; i < 3; i++ {
			body, err := get(fmt.Sprintf("http://127.0.0.1:%d/x", port))
			if err != nil {
				fmt.Fprintln(os.Stderr, "httpd:", err)
				os.Exit(1)
			}
			fmt.Print(body)
		}
	default:
		fmt.Fprintln(os.Stderr, "httpd: unknown command", os.Args[1])
		os.Exit(2)
	}
}

func handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from the LibOS: %s %s\n", r.Method, r.URL.Path)
	})
}

// get fetches url with a client whose connections are made by occlum.Dial.
func get(url string) (string, error) {
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
			return occlum.Dial(network, addr)
		},
	}}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
