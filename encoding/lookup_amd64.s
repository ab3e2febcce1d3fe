//go:build !purego

#include "textflag.h"

// LOOKUP8 maps the eight cells at off(SI) through the 16-entry table held
// in Y14 (entries 0..7) and Y13 (entries 8..15): VPERMPS uses the low three
// bits of each index, and the index > 7 comparison picks the half.
#define LOOKUP8(off, STORE) \
	VPMOVZXBD off(SI), Y0 \
	VPERMPS   Y14, Y0, Y1 \
	VPERMPS   Y13, Y0, Y2 \
	VPCMPGTD  Y12, Y0, Y3 \
	VBLENDVPS Y3, Y2, Y1, Y4 \
	STORE     Y4, (off*4)(DI)

// func lookupF32AVX2(dst *float32, src *uint8, n int, lut *[16]float32, nt int)
TEXT ·lookupF32AVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         lut+24(FP), R11
	MOVQ         nt+32(FP), R8
	VMOVDQU      (R11), Y14
	VMOVDQU      32(R11), Y13
	MOVL         $7, AX
	MOVQ         AX, X12
	VPBROADCASTD X12, Y12
	SHRQ         $5, CX // 32 cells per step; n is a multiple of 4096
	JZ           done
	TESTQ        R8, R8
	JNZ          nt

t:
	LOOKUP8(0, VMOVDQU)
	LOOKUP8(8, VMOVDQU)
	LOOKUP8(16, VMOVDQU)
	LOOKUP8(24, VMOVDQU)
	ADDQ $32, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  t
	JMP  done

nt:
	LOOKUP8(0, VMOVNTDQ)
	LOOKUP8(8, VMOVNTDQ)
	LOOKUP8(16, VMOVNTDQ)
	LOOKUP8(24, VMOVNTDQ)
	ADDQ $32, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  nt

done:
	SFENCE
	VZEROUPPER
	RET
