package encoding_test

import (
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/wrappers"
)

// The float encoders plug into the observation-encoding wrapper.
var (
	_ wrappers.Encoder = encoding.OneHot{}
	_ wrappers.Encoder = encoding.Scaled{}
	_ wrappers.Encoder = encoding.Raw{}
	_ wrappers.Encoder = encoding.Diff{}
)
