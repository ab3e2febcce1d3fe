package encoding_test

import (
	"fmt"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

func ExampleOneHot() {
	// A batch of 2 observations, each a stack of 1 frame.
	src := tensor.New[uint8](2, 1, 64, 64)
	src.Data[0] = 5    // observation 0, cell (0,0) has colour 5
	src.Data[4096] = 9 // observation 1, cell (0,0) has colour 9

	enc := encoding.OneHot{}
	dst := tensor.New[float32](enc.OutShape(src.Shape)...) // allocate once, reuse every step
	if err := enc.Encode(dst, src); err != nil {
		fmt.Println(err)
		return
	}
	plane := func(b, c int) float32 { return dst.Data[(b*16+c)*4096] }
	fmt.Println(dst.Shape)
	fmt.Println(plane(0, 5), plane(0, 0), plane(1, 9), plane(1, 0))

	src.Data[1] = 16
	fmt.Println(enc.Encode(dst, src))
	// Output:
	// [2 16 64 64]
	// 1 0 1 0
	// encoding: colour out of range: colour 16 in frame 0 at x=1 y=0
}

func ExamplePack4() {
	frame := tensor.New[uint8](64, 64)
	frame.Data[0], frame.Data[1] = 3, 12

	var p encoding.Pack4
	packed := tensor.New[uint8](p.OutShape(frame.Shape)...)
	_ = p.Encode(packed, frame)
	back := tensor.New[uint8](p.UnpackedShape(packed.Shape)...)
	_ = p.Decode(back, packed)

	fmt.Println(packed.Shape, len(packed.Data), fmt.Sprintf("%#x", packed.Data[0]))
	fmt.Println(back.Data[0], back.Data[1])
	// Output:
	// [64 32] 2048 0xc3
	// 3 12
}

func ExampleDenseView() {
	src := tensor.New[uint8](3, 1, 64, 64) // 3 observations
	enc := encoding.Scaled{}
	x := tensor.New[float64](enc.OutShape(src.Shape)...)
	_ = enc.EncodeF64(x, src)

	design, _ := encoding.DenseView(x) // no copy: rows are observations
	r, c := design.Dims()
	fmt.Println(r, c)
	// Output:
	// 3 4096
}
