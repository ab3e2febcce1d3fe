package encoding_test

import (
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/env"
)

// The float encoders are env.Encoders, which the encoding wrappers take.
var (
	_ env.Encoder = encoding.OneHot{}
	_ env.Encoder = encoding.Scaled{}
	_ env.Encoder = encoding.Raw{}
	_ env.Encoder = encoding.Diff{}
)
