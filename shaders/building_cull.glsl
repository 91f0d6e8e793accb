// The matrix of each building chunk (set 1, binding 6): written by shaders/buildings_cull.comp (or
// by the CPU where the device cannot cull on the GPU), read by the building and edge vertex shaders
// at gl_InstanceIndex (each chunk is drawn as one instance whose first instance is its index).
layout(std430, set = 1, binding = 6) BUILDING_MATRICES_ACCESS buffer ChunkMatrices { mat4 chunk_mvp[]; };
