package main

import (
	"context"
	"errors"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// creation is what "backups create" and "snapshots create" differ in.
type creation[T any] struct {
	op      string // "create a backup of server 12345", for errors
	create  func(context.Context, *vpsorg.Client) (*T, error)
	wait    func(context.Context, *vpsorg.Client, *T, *vpsorg.WaitOptions) (*T, error)
	awaited func(*T) awaited // names the new object for --wait's messages
	status  func(*T) vpsorg.Status
	view    view[*T]
	unknown string // when the create's outcome is unknown: how to look whether it acted
}

// createAndWait creates the object, with --wait waits until it is
// completed, and prints it as last seen.
func createAndWait[T any](ctx context.Context, a *app, out outputFlags, wf waitFlags, cr creation[T]) error {
	if err := errors.Join(out.check(), wf.check()); err != nil {
		return err
	}
	c, err := a.newClient()
	if err != nil {
		return err
	}
	obj, err := cr.create(ctx, c)
	if err != nil {
		return writeFailure(cr.op, err, "check --server: vpsorg servers list", cr.unknown)
	}
	if wf.wait {
		created := obj
		obj, err = await(ctx, a, wf, cr.awaited(created), string(cr.status(created)),
			func(ctx context.Context, o *vpsorg.WaitOptions) (*T, error) {
				return cr.wait(ctx, c, created, o)
			})
		if err != nil {
			return err
		}
	}
	return writeOne(a.stdout, out, cr.view, obj)
}
