"""Seeds a moto server with an account for onus's collection benchmark.

Usage: python seed_moto.py URL USERS ROLES BUCKETS SECURITY_GROUPS

Resets the server, then creates, in moto's default account: customer-managed policies, users
(some with console passwords, MFA, access keys, attached and inline policies), roles with trust,
inline and attached policies, buckets (some encrypted, versioned, blocked from the public),
security groups with ingress rules (some open to the internet), a password policy, a
multi-region trail, a GuardDuty detector and EBS default encryption. Choices are made by a
seeded generator, so every run seeds the same account. Prints what it made as JSON.
"""

import json
import random
import sys
import urllib.request

import boto3
from botocore.config import Config

URL, USERS, ROLES, BUCKETS, GROUPS = sys.argv[1], *map(int, sys.argv[2:6])
REGION = "eu-west-1"
POLICIES = 50

urllib.request.urlopen(urllib.request.Request(URL + "/moto-api/reset", method="POST"))

session = boto3.session.Session(
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="moto-secret",
    region_name=REGION,
)
config = Config(max_pool_connections=16, retries={"max_attempts": 5, "mode": "standard"})
iam = session.client("iam", endpoint_url=URL, config=config)
s3 = session.client("s3", endpoint_url=URL, config=config)
ec2 = session.client("ec2", endpoint_url=URL, config=config)
trail = session.client("cloudtrail", endpoint_url=URL, config=config)
guardduty = session.client("guardduty", endpoint_url=URL, config=config)


def doc(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


ADMIN = doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}])


def read(i):
    return doc([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [f"arn:aws:s3:::data-{i}", f"arn:aws:s3:::data-{i}/*"]}])


# One call at a time: moto's IAM backend is not safe under concurrent writes (it answers 500
# with "dictionary changed size during iteration"). Attachments are made last.
attachments = []


def each(fn, n):
    for i in range(n):
        fn(i)


policy_arns = [
    iam.create_policy(PolicyName=f"policy-{i:04}", PolicyDocument=ADMIN if i == 0 else read(i))["Policy"]["Arn"]
    for i in range(POLICIES)
]


def user(i):
    rnd = random.Random(i)
    name = f"user-{i:05}"
    iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": f"team-{i % 20}"}])
    if rnd.random() < 0.6:
        iam.create_login_profile(UserName=name, Password="Bench-password-1!")
        if rnd.random() < 0.7:
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
            iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                                  AuthenticationCode1="123456", AuthenticationCode2="654321")
    for _ in range(rnd.choice([0, 0, 1, 1, 2])):
        iam.create_access_key(UserName=name)
    if rnd.random() < 0.1:
        attachments.append(("user", name, policy_arns[1 + i % (POLICIES - 1)]))
    if rnd.random() < 0.03:
        iam.put_user_policy(UserName=name, PolicyName="admin", PolicyDocument=ADMIN)


TRUST_EC2 = doc([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}])
TRUST_XACCT = doc([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                    "Action": "sts:AssumeRole"}])


def role(i):
    rnd = random.Random(10_000_000 + i)
    name = f"role-{i:05}"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_XACCT if rnd.random() < 0.1 else TRUST_EC2,
                    Description=f"service role {i}", MaxSessionDuration=43200 if rnd.random() < 0.1 else 3600)
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=ADMIN if rnd.random() < 0.05 else read(i))
    attachments.append(("role", name, policy_arns[i % POLICIES]))


def bucket(i):
    rnd = random.Random(20_000_000 + i)
    name = f"bench-bucket-{i:05}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if rnd.random() < 0.9:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    if rnd.random() < 0.7:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if rnd.random() < 0.8:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})


vpc_id = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def rule(port, cidr):
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}


def group(i):
    rnd = random.Random(30_000_000 + i)
    gid = ec2.create_security_group(GroupName=f"web-{i:05}", Description="web tier", VpcId=vpc_id)["GroupId"]
    rules = [rule(443, "0.0.0.0/0"), rule(5432, "10.0.0.0/8")]
    if rnd.random() < 0.08:
        rules.append(rule(22, "0.0.0.0/0"))
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=rules)


each(user, USERS)
each(role, ROLES)
each(bucket, BUCKETS)
each(group, GROUPS)
for kind, name, arn in sorted(attachments):
    if kind == "user":
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    else:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)

iam.update_account_password_policy(
    MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True, RequireUppercaseCharacters=True,
    RequireLowercaseCharacters=True, AllowUsersToChangePassword=True, PasswordReusePrevention=24)
s3.create_bucket(Bucket="bench-trail-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
trail.create_trail(Name="main", S3BucketName="bench-trail-logs", IsMultiRegionTrail=True,
                   EnableLogFileValidation=True)
trail.start_logging(Name="main")
guardduty.create_detector(Enable=True)
ec2.enable_ebs_encryption_by_default()

print(json.dumps({"users": USERS, "roles": ROLES, "managed_policies": POLICIES, "buckets": BUCKETS + 1,
                  "security_groups": GROUPS, "password_policy": True, "trails": 1, "guardduty_detectors": 1}))
