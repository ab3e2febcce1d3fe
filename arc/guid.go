package arc

import "crypto/rand"

// NewGUID returns a random (version 4) UUID in its 36-character text form,
// the form of ARC session guids and scorecard ids.
func NewGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	const hex = "0123456789abcdef"
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[c>>4], hex[c&0xf]
		j += 2
	}
	return string(out[:])
}

// Clone returns a copy of info that shares no slice with it.
func (info GameInfo) Clone() GameInfo {
	info.Tags = append([]string(nil), info.Tags...)
	info.BaselineActions = append([]int(nil), info.BaselineActions...)
	return info
}
