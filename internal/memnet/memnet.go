// Package memnet is an in-memory network for tests: a net.Listener whose
// connections are net.Pipe pairs. A goroutine blocked on such a connection
// is durably blocked in the sense of testing/synctest (one blocked on a
// socket is not), so servers and clients can be tested on a synctest
// bubble's fake clock; net.Pipe honours deadlines on that clock.
package memnet

import (
	"context"
	"net"
	"sync"
)

// Listener is a net.Listener whose connections are the server ends of the
// net.Pipe pairs that Dial makes.
type Listener struct {
	conns chan net.Conn
	done  chan struct{}
	close func()
}

// Listen returns a new Listener.
func Listen() *Listener {
	l := &Listener{conns: make(chan net.Conn), done: make(chan struct{})}
	l.close = sync.OnceFunc(func() { close(l.done) })
	return l
}

// Accept waits for the next Dial and returns the server end of its pipe.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops the listener; waiting and later Accept and Dial calls fail
// with net.ErrClosed.
func (l *Listener) Close() error {
	l.close()
	return nil
}

// Addr returns the listener's address, the same for every Listener.
func (l *Listener) Addr() net.Addr { return addr{} }

// Dial connects to the listener and returns the client end of the pipe,
// once Accept took the server end.
func (l *Listener) Dial(ctx context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	var err error
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		err = net.ErrClosed
	case <-ctx.Done():
		err = ctx.Err()
	}
	_ = client.Close()
	_ = server.Close()
	return nil, &net.OpError{Op: "dial", Net: "pipe", Err: err}
}

// DialContext is Dial with the signature of http.Transport.DialContext;
// the network and address are ignored.
func (l *Listener) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	return l.Dial(ctx)
}

type addr struct{}

func (addr) Network() string { return "pipe" }
func (addr) String() string  { return "pipe" }
