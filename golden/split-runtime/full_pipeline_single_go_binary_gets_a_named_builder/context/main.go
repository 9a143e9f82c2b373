// Command hello-http is a small HTTP service with a health endpoint.
//
//	hello-http                 serve on :8080
//	hello-http -version        print the version and exit
//	hello-http -self-check     start on a random port, call /healthz, print the result, exit
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"
)

const version = "1.4.2"

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"status": "ok", "version": version})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s at %s\n", r.URL.Path, time.Now().UTC().Format(time.RFC3339))
	})
	return mux
}

func selfCheck() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	go http.Serve(ln, routes())
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var health map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil {
		return err
	}
	fmt.Printf("self-check: status=%s version=%s\n", health["status"], health["version"])
	return nil
}

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	check := flag.Bool("self-check", false, "check the service answers and exit")
	addr := flag.String("addr", ":8080", "listen address")
	flag.Parse()
	switch {
	case *showVersion:
		fmt.Printf("hello-http %s (%s)\n", version, runtime.Version())
	case *check:
		if err := selfCheck(); err != nil {
			fmt.Fprintln(os.Stderr, "self-check failed:", err)
			os.Exit(1)
		}
	default:
		log.Printf("listening on %s", *addr)
		log.Fatal(http.ListenAndServe(*addr, routes()))
	}
}
