//go:build !purego

#include "textflag.h"

// Each kernel writes the output front to back. With nt != 0 it uses
// non-temporal stores, which bypass the caches like the runtime's memclr
// does for large buffers; the caller passes nt only for a destination
// aligned for them (32 bytes, 16 for the HWC uint8 kernel).

// func oneHotCHWF32AVX2(dst *float32, src *uint8, frames int, nt int)
TEXT ·oneHotCHWF32AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ frames+16(FP), CX
	MOVQ nt+24(FP), R8
	MOVL $0x3f800000, AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15 // eight 1.0

f32frame:
	TESTQ CX, CX
	JZ    f32done
	XORQ  BX, BX // colour

f32plane:
	MOVQ         BX, X14
	VPBROADCASTD X14, Y14
	MOVQ         SI, R9
	MOVQ         $128, R10 // 4096 cells, 32 per step
	TESTQ        R8, R8
	JNZ          f32nt

f32t:
	VPMOVZXBD (R9), Y0
	VPMOVZXBD 8(R9), Y1
	VPMOVZXBD 16(R9), Y2
	VPMOVZXBD 24(R9), Y3
	VPCMPEQD  Y14, Y0, Y0
	VPCMPEQD  Y14, Y1, Y1
	VPCMPEQD  Y14, Y2, Y2
	VPCMPEQD  Y14, Y3, Y3
	VPAND     Y15, Y0, Y0
	VPAND     Y15, Y1, Y1
	VPAND     Y15, Y2, Y2
	VPAND     Y15, Y3, Y3
	VMOVDQU   Y0, (DI)
	VMOVDQU   Y1, 32(DI)
	VMOVDQU   Y2, 64(DI)
	VMOVDQU   Y3, 96(DI)
	ADDQ      $32, R9
	ADDQ      $128, DI
	DECQ      R10
	JNZ       f32t
	JMP       f32next

f32nt:
	VPMOVZXBD (R9), Y0
	VPMOVZXBD 8(R9), Y1
	VPMOVZXBD 16(R9), Y2
	VPMOVZXBD 24(R9), Y3
	VPCMPEQD  Y14, Y0, Y0
	VPCMPEQD  Y14, Y1, Y1
	VPCMPEQD  Y14, Y2, Y2
	VPCMPEQD  Y14, Y3, Y3
	VPAND     Y15, Y0, Y0
	VPAND     Y15, Y1, Y1
	VPAND     Y15, Y2, Y2
	VPAND     Y15, Y3, Y3
	VMOVNTDQ  Y0, (DI)
	VMOVNTDQ  Y1, 32(DI)
	VMOVNTDQ  Y2, 64(DI)
	VMOVNTDQ  Y3, 96(DI)
	ADDQ      $32, R9
	ADDQ      $128, DI
	DECQ      R10
	JNZ       f32nt

f32next:
	INCQ BX
	CMPQ BX, $16
	JB   f32plane
	ADDQ $4096, SI
	DECQ CX
	JMP  f32frame

f32done:
	SFENCE
	VZEROUPPER
	RET

// func oneHotCHWF64AVX2(dst *float64, src *uint8, frames int, nt int)
TEXT ·oneHotCHWF64AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ frames+16(FP), CX
	MOVQ nt+24(FP), R8
	MOVQ $0x3ff0000000000000, AX
	MOVQ AX, X15
	VPBROADCASTQ X15, Y15 // four 1.0

f64frame:
	TESTQ CX, CX
	JZ    f64done
	XORQ  BX, BX

f64plane:
	MOVQ         BX, X14
	VPBROADCASTQ X14, Y14
	MOVQ         SI, R9
	MOVQ         $256, R10 // 4096 cells, 16 per step
	TESTQ        R8, R8
	JNZ          f64nt

f64t:
	VPMOVZXBQ (R9), Y0
	VPMOVZXBQ 4(R9), Y1
	VPMOVZXBQ 8(R9), Y2
	VPMOVZXBQ 12(R9), Y3
	VPCMPEQQ  Y14, Y0, Y0
	VPCMPEQQ  Y14, Y1, Y1
	VPCMPEQQ  Y14, Y2, Y2
	VPCMPEQQ  Y14, Y3, Y3
	VPAND     Y15, Y0, Y0
	VPAND     Y15, Y1, Y1
	VPAND     Y15, Y2, Y2
	VPAND     Y15, Y3, Y3
	VMOVDQU   Y0, (DI)
	VMOVDQU   Y1, 32(DI)
	VMOVDQU   Y2, 64(DI)
	VMOVDQU   Y3, 96(DI)
	ADDQ      $16, R9
	ADDQ      $128, DI
	DECQ      R10
	JNZ       f64t
	JMP       f64next

f64nt:
	VPMOVZXBQ (R9), Y0
	VPMOVZXBQ 4(R9), Y1
	VPMOVZXBQ 8(R9), Y2
	VPMOVZXBQ 12(R9), Y3
	VPCMPEQQ  Y14, Y0, Y0
	VPCMPEQQ  Y14, Y1, Y1
	VPCMPEQQ  Y14, Y2, Y2
	VPCMPEQQ  Y14, Y3, Y3
	VPAND     Y15, Y0, Y0
	VPAND     Y15, Y1, Y1
	VPAND     Y15, Y2, Y2
	VPAND     Y15, Y3, Y3
	VMOVNTDQ  Y0, (DI)
	VMOVNTDQ  Y1, 32(DI)
	VMOVNTDQ  Y2, 64(DI)
	VMOVNTDQ  Y3, 96(DI)
	ADDQ      $16, R9
	ADDQ      $128, DI
	DECQ      R10
	JNZ       f64nt

f64next:
	INCQ BX
	CMPQ BX, $16
	JB   f64plane
	ADDQ $4096, SI
	DECQ CX
	JMP  f64frame

f64done:
	SFENCE
	VZEROUPPER
	RET

// func oneHotCHWU8AVX2(dst *uint8, src *uint8, frames int, nt int)
TEXT ·oneHotCHWU8AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ frames+16(FP), CX
	MOVQ nt+24(FP), R8
	MOVL $1, AX
	MOVQ AX, X15
	VPBROADCASTB X15, Y15 // thirty-two 1s

u8frame:
	TESTQ CX, CX
	JZ    u8done
	XORQ  BX, BX

u8plane:
	MOVQ         BX, X14
	VPBROADCASTB X14, Y14
	MOVQ         SI, R9
	MOVQ         $32, R10 // 4096 cells, 128 per step
	TESTQ        R8, R8
	JNZ          u8nt

u8t:
	VMOVDQU  (R9), Y0
	VMOVDQU  32(R9), Y1
	VMOVDQU  64(R9), Y2
	VMOVDQU  96(R9), Y3
	VPCMPEQB Y14, Y0, Y0
	VPCMPEQB Y14, Y1, Y1
	VPCMPEQB Y14, Y2, Y2
	VPCMPEQB Y14, Y3, Y3
	VPAND    Y15, Y0, Y0
	VPAND    Y15, Y1, Y1
	VPAND    Y15, Y2, Y2
	VPAND    Y15, Y3, Y3
	VMOVDQU  Y0, (DI)
	VMOVDQU  Y1, 32(DI)
	VMOVDQU  Y2, 64(DI)
	VMOVDQU  Y3, 96(DI)
	ADDQ     $128, R9
	ADDQ     $128, DI
	DECQ     R10
	JNZ      u8t
	JMP      u8next

u8nt:
	VMOVDQU  (R9), Y0
	VMOVDQU  32(R9), Y1
	VMOVDQU  64(R9), Y2
	VMOVDQU  96(R9), Y3
	VPCMPEQB Y14, Y0, Y0
	VPCMPEQB Y14, Y1, Y1
	VPCMPEQB Y14, Y2, Y2
	VPCMPEQB Y14, Y3, Y3
	VPAND    Y15, Y0, Y0
	VPAND    Y15, Y1, Y1
	VPAND    Y15, Y2, Y2
	VPAND    Y15, Y3, Y3
	VMOVNTDQ Y0, (DI)
	VMOVNTDQ Y1, 32(DI)
	VMOVNTDQ Y2, 64(DI)
	VMOVNTDQ Y3, 96(DI)
	ADDQ     $128, R9
	ADDQ     $128, DI
	DECQ     R10
	JNZ      u8nt

u8next:
	INCQ BX
	CMPQ BX, $16
	JB   u8plane
	ADDQ $4096, SI
	DECQ CX
	JMP  u8frame

u8done:
	SFENCE
	VZEROUPPER
	RET

// The HWC kernels copy the 16-channel pattern of each cell from pat, four
// cells per step; cells is a multiple of 4096.

#define HWC32CELL(off, STORE) \
	MOVBQZX off(SI), AX \
	ANDQ    $15, AX \
	SHLQ    $6, AX \
	VMOVDQU (R11)(AX*1), Y0 \
	VMOVDQU 32(R11)(AX*1), Y1 \
	STORE   Y0, (off*64)(DI) \
	STORE   Y1, (off*64+32)(DI)

// func oneHotHWCF32AVX2(dst *float32, src *uint8, cells int, pat *[16][16]float32, nt int)
TEXT ·oneHotHWCF32AVX2(SB), NOSPLIT, $0-40
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  cells+16(FP), CX
	MOVQ  pat+24(FP), R11
	MOVQ  nt+32(FP), R8
	SHRQ  $2, CX
	JZ    hwc32done
	TESTQ R8, R8
	JNZ   hwc32nt

hwc32t:
	HWC32CELL(0, VMOVDQU)
	HWC32CELL(1, VMOVDQU)
	HWC32CELL(2, VMOVDQU)
	HWC32CELL(3, VMOVDQU)
	ADDQ $4, SI
	ADDQ $256, DI
	DECQ CX
	JNZ  hwc32t
	JMP  hwc32done

hwc32nt:
	HWC32CELL(0, VMOVNTDQ)
	HWC32CELL(1, VMOVNTDQ)
	HWC32CELL(2, VMOVNTDQ)
	HWC32CELL(3, VMOVNTDQ)
	ADDQ $4, SI
	ADDQ $256, DI
	DECQ CX
	JNZ  hwc32nt

hwc32done:
	SFENCE
	VZEROUPPER
	RET

#define HWC8CELL(off, STORE) \
	MOVBQZX off(SI), AX \
	ANDQ    $15, AX \
	SHLQ    $4, AX \
	MOVOU   (R11)(AX*1), X0 \
	STORE   X0, (off*16)(DI)

// func oneHotHWCU8SSE(dst *uint8, src *uint8, cells int, pat *[16][16]uint8, nt int)
TEXT ·oneHotHWCU8SSE(SB), NOSPLIT, $0-40
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  cells+16(FP), CX
	MOVQ  pat+24(FP), R11
	MOVQ  nt+32(FP), R8
	SHRQ  $2, CX
	JZ    hwc8done
	TESTQ R8, R8
	JNZ   hwc8nt

hwc8t:
	HWC8CELL(0, MOVOU)
	HWC8CELL(1, MOVOU)
	HWC8CELL(2, MOVOU)
	HWC8CELL(3, MOVOU)
	ADDQ $4, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  hwc8t
	JMP  hwc8done

hwc8nt:
	HWC8CELL(0, MOVNTO)
	HWC8CELL(1, MOVNTO)
	HWC8CELL(2, MOVNTO)
	HWC8CELL(3, MOVNTO)
	ADDQ $4, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  hwc8nt

hwc8done:
	SFENCE
	RET
