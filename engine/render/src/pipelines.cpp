#include "pipelines.h"

#include <string>

namespace parktwin::render {

vk::Pipeline build_graphics(VkDevice dev, const GraphicsDesc& d, VkPipelineCache cache) {
  vk::ShaderModule vm = vk::make_shader(dev, d.vs.words, d.vs.bytes), fm = vk::make_shader(dev, d.fs.words, d.fs.bytes);
  VkPipelineShaderStageCreateInfo stages[2]{};
  stages[0] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_VERTEX_BIT, vm.vk(), "main", nullptr};
  stages[1] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_FRAGMENT_BIT, fm.vk(), "main", nullptr};
  VkPipelineVertexInputStateCreateInfo vi{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
  vi.vertexBindingDescriptionCount = static_cast<uint32_t>(d.vertex.bindings.size());
  vi.pVertexBindingDescriptions = d.vertex.bindings.data();
  vi.vertexAttributeDescriptionCount = static_cast<uint32_t>(d.vertex.attributes.size());
  vi.pVertexAttributeDescriptions = d.vertex.attributes.data();
  VkPipelineInputAssemblyStateCreateInfo ia{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
  ia.topology = d.topology;
  VkPipelineRasterizationStateCreateInfo rs{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
  rs.polygonMode = VK_POLYGON_MODE_FILL;
  rs.cullMode = d.cull;
  rs.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;
  rs.lineWidth = 1.0f;
  VkPipelineMultisampleStateCreateInfo ms{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
  ms.rasterizationSamples = d.samples;
  VkPipelineDepthStencilStateCreateInfo ds{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
  ds.depthTestEnable = d.depth_test ? VK_TRUE : VK_FALSE;
  ds.depthWriteEnable = d.depth_write ? VK_TRUE : VK_FALSE;
  ds.depthCompareOp = VK_COMPARE_OP_GREATER_OR_EQUAL;  // reverse-Z
  VkPipelineColorBlendAttachmentState blend = vk::over_blending();
  blend.blendEnable = d.blend ? VK_TRUE : VK_FALSE;
  VkGraphicsPipelineCreateInfo gi{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
  gi.stageCount = 2;
  gi.pStages = stages;
  gi.pVertexInputState = &vi;
  gi.pInputAssemblyState = &ia;
  gi.pRasterizationState = &rs;
  gi.pMultisampleState = &ms;
  gi.pDepthStencilState = &ds;
  gi.layout = d.layout;
  gi.renderPass = d.pass;
  gi.subpass = 0;
  return vk::make_graphics_pipeline(dev, gi, blend, (std::string("vkCreateGraphicsPipelines (") + d.name + ")").c_str(), cache);
}

vk::Pipeline build_compute(VkDevice dev, const ComputeDesc& d, VkPipelineCache cache) {
  vk::ShaderModule cm = vk::make_shader(dev, d.cs.words, d.cs.bytes);
  VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, cm.vk(), "main", nullptr};
  ci.layout = d.layout;
  VkPipeline p;
  vk::check(vkCreateComputePipelines(dev, cache, 1, &ci, nullptr, &p),
            (std::string("vkCreateComputePipelines (") + d.name + ")").c_str());
  return vk::Pipeline(dev, p);
}

}  // namespace parktwin::render
