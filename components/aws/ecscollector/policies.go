package ecscollector

import "github.com/otelfleet/otelfleet/components/aws/policy"

// TaskTrustPolicy lets ECS tasks of this account and region, and nothing else, assume a
// role (the confused-deputy conditions ECS documents).
func TaskTrustPolicy(region, account string) policy.Document {
	return policy.New(policy.Statement{
		Sid:       "ECSTasksOfThisAccount",
		Effect:    policy.Allow,
		Principal: &policy.Principal{Service: []string{"ecs-tasks.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: policy.Condition{
			"StringEquals": {"aws:SourceAccount": {account}},
			"ArnLike": {"aws:SourceArn": {policy.ARN{
				Partition: policy.Partition(region), Service: "ecs", Region: region, Account: account, Resource: "*",
			}.String()}},
		},
	})
}

// ExecutionPolicy is what the ECS agent needs to start the collector: write the
// container's log group, read the config parameter and the secret ones (SecureStrings
// under the AWS-managed key, which needs no kms:Decrypt grant), and pull from ECR when the
// image lives there (GetAuthorizationToken has no resource-level permission).
func ExecutionPolicy(logGroupArn string, parameterArns []string, repositoryArn string) policy.Document {
	statements := []policy.Statement{
		{
			Sid: "ContainerLogs", Effect: policy.Allow,
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{logGroupArn, logGroupArn + ":log-stream:*"},
		},
		{
			Sid: "CollectorConfig", Effect: policy.Allow,
			Action:   []string{"ssm:GetParameters"},
			Resource: parameterArns,
		},
	}
	if repositoryArn != "" {
		statements = append(statements,
			policy.Statement{Sid: "RegistryLogin", Effect: policy.Allow, Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
			policy.Statement{
				Sid: "PullImage", Effect: policy.Allow,
				Action:   []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
				Resource: []string{repositoryArn},
			},
		)
	}
	return policy.New(statements...)
}
