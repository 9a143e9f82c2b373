// Command server answers GET /hello?name=... with a greeting.
//
// With --once it listens on a random local port, asks itself one question with the
// same code the client uses, prints the answer and exits (used as a smoke test).
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"example.com/clientserver/internal/greeting"
)

func handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, greeting.Message(r.URL.Query().Get("name")))
	})
	return mux
}

func selfTest() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	go http.Serve(ln, handler())
	resp, err := http.Get("http://" + ln.Addr().String() + "/hello?name=smoke")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	fmt.Printf("server: answered %q\n", string(body[:len(body)-1]))
	return nil
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	once := flag.Bool("once", false, "answer one request from itself, print it and exit")
	flag.Parse()
	if *once {
		if err := selfTest(); err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
			os.Exit(1)
		}
		return
	}
	log.Printf("server: listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, handler()))
}
