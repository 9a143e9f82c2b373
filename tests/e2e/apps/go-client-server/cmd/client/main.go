// Command client asks the server for a greeting.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"example.com/clientserver/internal/greeting"
)

func main() {
	server := flag.String("server", "http://localhost:8080", "server URL")
	name := flag.String("name", "client", "who is asking")
	offline := flag.Bool("offline", false, "print the greeting the server would send, without asking it")
	flag.Parse()
	if *offline {
		fmt.Printf("client: would get %q\n", greeting.Message(*name))
		return
	}
	resp, err := http.Get(*server + "/hello?name=" + url.QueryEscape(*name))
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("client: got %q\n", string(body))
}
